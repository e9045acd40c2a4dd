import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { MET_NPCS_KEY, NpcAcquaintances } from "../rooms/npc/npc-acquaintances.js";
import { ACQUAINTANCES_PART } from "../server/stores/acquaintances-file.js";
import { keepPresence } from "../server/stores/kept-presence.js";
import { MODERATION_PART } from "../server/stores/moderation-file.js";
import { quiet, waitFor } from "./helpers/world.js";

describe("the embedded default's file of whom NPCs met (server/stores/acquaintances-file.ts)", () => {
  const dirIn = () => mkdtempSync(join(tmpdir(), "acquaintances-"));
  const keep = (dir: string, saveEveryMs?: number) => keepPresence(dir, [MODERATION_PART, ACQUAINTANCES_PART], quiet, saveEveryMs);

  it("gives a restarted process the players each NPC met, and writes only its own file when an NPC meets one", async () => {
    const dir = dirIn();
    const kept = await keep(dir, 50);
    assert.deepEqual(await new NpcAcquaintances(kept.presence).meet("hans", ["acct-1"]), new Set());
    const file = join(dir, "npc-acquaintances.json");
    await waitFor("the meeting in the file", () => existsSync(file));
    const { met: written } = JSON.parse(readFileSync(file, "utf8")) as { met: Record<string, [string, number][]> };
    assert.deepEqual(Object.keys(written), ["hans"]);
    assert.deepEqual(written.hans!.map(([account]) => account), ["acct-1"], "[account, when] pairs");
    assert.ok(!existsSync(join(dir, "moderation.json")), "moderation's file not written for a greeting");
    await kept.stop();

    const again = await keep(dir);
    assert.deepEqual(await again.presence.smembers(MET_NPCS_KEY), ["hans"], "an erasure request reaches the NPCs read back");
    const met = new NpcAcquaintances(again.presence);
    assert.deepEqual(await met.meet("hans", ["acct-1", "acct-2"]), new Set(["acct-1"]), "the one met before, not the new one");
    assert.deepEqual(await met.meet("mina", ["acct-1"]), new Set(), "another NPC has not met them");
    await again.stop();
  });

  // Kept aside, the copy held every account met, where no erasure reached it.
  it("deletes a file it cannot read, keeping no copy of it", async () => {
    const dir = dirIn();
    writeFileSync(join(dir, "npc-acquaintances.json"), '{"v":2,"met":{"hans":[["acct-private",1]]}}');
    // …and the copies older servers set aside.
    writeFileSync(join(dir, "npc-acquaintances.json.unreadable-1764000000000"), '{"v":2,"met":{"hans":[["acct-old",1]]}}');
    writeFileSync(join(dir, "moderation.json.unreadable-1764000000000"), "{ kept as evidence");
    const kept = await keep(dir);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith("npc-acquaintances")), []);
    assert.deepEqual(readdirSync(dir).filter((name) => name.includes(".unreadable-")), ["moderation.json.unreadable-1764000000000"]);
    assert.deepEqual(await new NpcAcquaintances(kept.presence).meet("hans", ["acct-private"]), new Set());
    await kept.stop();
  });

  it("forgets, as it reads the file back, meetings older than the forgetting time (a file as older servers wrote it: account → time)", async () => {
    const dir = dirIn();
    const day = 86_400_000;
    writeFileSync(join(dir, "npc-acquaintances.json"), JSON.stringify({ v: 1, met: { hans: { old: Date.now() - 31 * day, recent: Date.now() - day } } }));
    const kept = await keep(dir);
    assert.deepEqual(Object.keys(await kept.presence.hgetall("npc-met:hans")), ["recent"]);
    assert.deepEqual(await new NpcAcquaintances(kept.presence).meet("hans", ["old", "recent"]), new Set(["recent"]));
    await kept.stop();
  });
});
