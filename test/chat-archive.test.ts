import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ChatLogRecord } from "../kafka/chat-log.js";
import { DailyFileChatLog } from "../kafka/daily-file-chat-log.js";
import { answersTo, startTestWorld, waitFor } from "./helpers/world.js";

describe("Chat archive of the embedded default (daily JSON-lines files)", () => {
  it("archives every line of a live room, NPC answers with their question, latency and model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const archive = new DailyFileChatLog(dir, "test-server", (error) => assert.fail(error));
    const world = await startTestWorld({}, { chatLog: archive });
    try {
      await world.startWorker();
      const a = await world.join("기록");
      a.room.send("chat", { text: "안녕 다들" });
      a.room.send("chat", { text: "@kobot 배고파" });
      const answer = await waitFor("the answer", () => answersTo(a)[0]);
      await a.room.leave();
      await archive.flush();

      const day = new Date().toISOString().slice(0, 10);
      assert.deepEqual(readdirSync(dir), [`date=${day}`]);
      const lines = readFileSync(join(dir, `date=${day}`, "test-server.ndjson"), "utf8").trim().split("\n");
      const records = lines.map((line) => ChatLogRecord.parse(JSON.parse(line)));
      assert.deepEqual(
        records.map((r) => [r.kind, r.text]),
        [["system", "기록 님이 들어왔어요."], ["player", "안녕 다들"], ["player", "@kobot 배고파"], ["npc", answer.text], ["system", "기록 님이 나갔어요."]],
      );
      const npc = records.find((r) => r.kind === "npc")!;
      assert.equal(npc.npc?.question, "배고파");
      assert.equal(npc.npc?.fallback, false);
      assert.match(npc.npc?.model ?? "", /kobot-gpt2/);
      assert.equal(records[2]!.toNpc, "kobot");
    } finally {
      await world.stop();
    }
  });
});
