import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort, serviceLog, startService, uniqueTopics, withServices } from "../../tools/processes.js";
import { joinWorld, sleep, waitFor } from "../helpers/world.js";

/**
 * A world server and an NPC worker on different world files, as after servers restarted before their workers: the
 * server's world adds hans, who speaks with the model `big`, and the worker's has kobot alone, on `default`. The worker
 * answered hans as its stand-in, with its own model and without his knowledge ("위로봇이요"); now it refuses, and the
 * player hears his fallback line.
 */
describe("A worker on another world file than its server's (real broker, separate processes)", function () {
  this.timeout(120_000);

  it("refuses the questions of an NPC it does not know on another model than its stand-in's: the player hears a fallback line, the worker logs why", async () => {
    const folder = mkdtempSync(join(tmpdir(), "kafka-other-world-"));
    cpSync("npc/model", join(folder, "big"), { recursive: true });
    const hans = (model: string) => `  - { id: hans, name: 한스, position: { x: 0, y: 0, z: 0 }, talkRadius: 100, model: ${model}, lines: { noAnswer: [지금은 대답하기 어렵구나.] } }`;
    const serverWorld = join(folder, "server.yaml");
    const kobot = "  - { id: kobot, name: 코봇, position: { x: 0, y: 0, z: 40 } }";
    writeFileSync(serverWorld, [`models: { big: ${JSON.stringify(join(folder, "big"))} }`, "npcs:", kobot, hans("big")].join("\n"));
    const workerWorld = join(folder, "worker.yaml");
    writeFileSync(workerWorld, ["npcs:", kobot].join("\n"));
    const topics = uniqueTopics("other-world");
    const env = {
      KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS!,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `workers-${topics.question}`,
    };
    const port = await freePort();
    await withServices([
      () => startService("worker-other-world", "npc/worker/worker-main.ts", { ...env, WORLD_FILE: workerWorld }, "npc worker started"),
      () => startService("server-other-world", "server/main.ts", { ...env, WORLD_FILE: serverWorld, PORT: String(port), NPC_TIMEOUT_MS: "30000" }, "world server listening"),
    ], async () => {
      const player = await joinWorld(`ws://127.0.0.1:${port}`, { name: "손님" });
      try {
        player.room.send("chat", { text: "@한스 여기서 뭐 팔아?" });
        await waitFor("the refusal", () => player.errors.find((error) => error.code === "npc_unavailable"), 30_000);
        await waitFor("his fallback line", () => player.room.state.chat.some((line) => line.from === "hans" && line.text === "지금은 대답하기 어렵구나."));
        await sleep(200); // the worker's log line written
        const said = readFileSync(serviceLog("worker-other-world"), "utf8");
        assert.match(said, /question from a server with another world file/);
        assert.match(said, /speaks with model \\"big\\" in the server's world file and is not in this worker's world file/);
      } finally {
        await player.room.leave();
      }
    });
  });
});
