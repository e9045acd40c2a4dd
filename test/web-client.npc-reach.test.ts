import assert from "node:assert/strict";

import { distance } from "../rooms/players/movement.js";
import type { Label } from "../web-client/src/label-places.js";
import { npcUnder, TAP_SLOP } from "../web-client/src/npc-hit.js";
import { approachStop, APPROACH_SHARE, choicesKey, inReach, type ListedNpc, npcChoices } from "../web-client/src/npc-reach.js";

const npc = (name: string, x: number, z: number, more: Partial<ListedNpc> = {}): ListedNpc => ({
  name, x, y: 0, z, talkRadius: 8, status: "idle", privateTalk: false, ...more,
});

/** Whom the browser client's "누구에게" list offers first (web-client/src/npc-reach.ts). */
describe("web client: the NPCs in reach (web-client/src/npc-reach.ts)", () => {
  // In world-file order: 한스 far to the west, 코봇 at the square, 미나 on her route (her state's position), 도리 east.
  const village = (): Array<[string, ListedNpc]> => [
    ["hans", npc("한스", -20, -10)],
    ["kobot", npc("코봇", 0, 5, { talkRadius: 12, status: "thinking" })],
    ["mina", npc("미나", 6, 0, { privateTalk: true })],
    ["dori", npc("도리", 30, 0)],
  ];
  const ids = (choices: Array<{ id: string }>) => choices.map((choice) => choice.id);

  it("puts the NPCs the player can talk to now first, each group in world-file order, not nearest first", () => {
    const choices = npcChoices(village(), { x: 2, y: 0, z: 0 });
    // 미나 is nearer than 코봇, and stays after it as in the world file.
    assert.deepEqual(ids(choices.near), ["kobot", "mina"]);
    assert.deepEqual(ids(choices.far), ["hans", "dori"]);
    assert.deepEqual(choices.near.map((choice) => choice.label), ["코봇 (생각 중…)", "미나 (귓속말)"]);
  });

  it("measures reach as the server does: the NPC's position now, its talk radius included, height counted", () => {
    const player = { x: 0, y: 0, z: 0 };
    assert.equal(inReach(player, { x: 8, y: 0, z: 0, talkRadius: 8 }), true, "on the edge: the server refuses only beyond it");
    assert.equal(inReach(player, { x: 8.01, y: 0, z: 0, talkRadius: 8 }), false);
    assert.equal(inReach(player, { x: 6, y: 6, z: 0, talkRadius: 8 }), false, "8.5 m away, up a hill");
    // An NPC walking its route comes into reach, and leaves it, as its state's position moves.
    const walking = village();
    walking[3]![1].x = 7;
    assert.deepEqual(ids(npcChoices(walking, player).near), ["kobot", "mina", "dori"]);
  });

  it("offers every NPC as far before the room has placed the player", () => {
    const choices = npcChoices(village(), undefined);
    assert.deepEqual(ids(choices.near), []);
    assert.deepEqual(ids(choices.far), ["hans", "kobot", "mina", "dori"]);
  });

  it("keeps the list's key while the player walks inside the same reach, and changes it when an NPC comes into reach or its status changes", () => {
    const key = (x: number, npcs = village()) => choicesKey(npcChoices(npcs, { x, y: 0, z: 0 }));
    assert.equal(key(1), key(2), "a step that changes no group: the list is not rebuilt");
    assert.notEqual(key(2), key(-6), "미나 out of reach");
    const spoken = village();
    spoken[1]![1].status = "speaking";
    assert.notEqual(key(2, spoken), key(2), "코봇 no longer thinking");
    assert.notEqual(choicesKey(npcChoices(village(), { x: 2, y: 0, z: 0 }), { id: "old", name: "옛사람" }), key(2), "the chosen NPC left");
  });

  it("stops a player walking up to an NPC well inside its talk radius, not on it, heights counted", () => {
    const stop = approachStop({ y: 0 }, { y: 0, talkRadius: 10 });
    assert.equal(stop, 10 * APPROACH_SHARE);
    assert.ok(stop > 0 && stop < 10);
    const up = approachStop({ y: 0 }, { y: 3, talkRadius: 10 });
    assert.ok(distance({ x: 0, y: 0, z: 0 }, { x: up, y: 3, z: 0 }) <= 10 * APPROACH_SHARE + 1e-9, "in reach from where it stops");
    assert.equal(approachStop({ y: 0 }, { y: 9, talkRadius: 10 }), 0, "high above: right under it");
  });
});

/** Which NPC a click or tap on the village is on (web-client/src/npc-hit.ts). */
describe("web client: an NPC under a click (web-client/src/npc-hit.ts)", () => {
  const dots = [
    { id: "kobot", x: 100, y: 100, radius: 11 },
    { id: "hans", x: 130, y: 100, radius: 11 },
    { id: "far", x: 400, y: 400, radius: 11 },
  ];
  const names: Label[] = [
    { x: 400, y: 425, text: "멀리사는이", width: 70, of: "far" },
    { x: 400, y: 439, text: "+3", width: 20 }, // a count under a stack: nobody's
    { x: 250, y: 250, text: "지나가는 손님", width: 80 }, // a player's name
  ];

  it("takes a click on an NPC's dot, or within a finger's slack of it, as on the NPC", () => {
    assert.equal(npcUnder({ x: 100, y: 100 }, dots, names), "kobot");
    assert.equal(npcUnder({ x: 100, y: 100 - 11 - TAP_SLOP + 0.5 }, dots, names), "kobot");
    assert.equal(npcUnder({ x: 100, y: 100 - 11 - TAP_SLOP - 1 }, dots, names), undefined, "further: a click that walks there");
    assert.ok(2 * (11 + TAP_SLOP) >= 44, "a finger's 44 px target at least");
  });

  it("takes the nearest of two NPCs side by side", () => {
    assert.equal(npcUnder({ x: 112, y: 100 }, dots, names), "kobot");
    assert.equal(npcUnder({ x: 118, y: 100 }, dots, names), "hans");
  });

  it("takes a tap on an NPC's name as placed under it, and not on a player's name or a count", () => {
    assert.equal(npcUnder({ x: 430, y: 420 }, dots, names), "far");
    assert.equal(npcUnder({ x: 250, y: 246 }, dots, names), undefined);
    assert.equal(npcUnder({ x: 400, y: 452 }, dots, names), undefined, "under the count, clear of the NPC's name by more than the slack");
  });

  it("takes a name's box to reach 3 px below its baseline (the letters' tails), then the slack", () => {
    const name: Label = { x: 100, y: 100, text: "코봇", width: 40, of: "kobot" };
    assert.equal(npcUnder({ x: 100, y: 100 + 3 + TAP_SLOP }, [], [name]), "kobot");
    assert.equal(npcUnder({ x: 100, y: 100 + 3 + TAP_SLOP + 1 }, [], [name]), undefined);
  });

  it("does not let a count label (+2, nobody's) nearer the tap hide the NPC's dot under it", () => {
    const count: Label = { x: 100, y: 120, text: "+2", width: 20 };
    assert.equal(npcUnder({ x: 100, y: 112 }, [{ id: "kobot", x: 100, y: 100, radius: 5 }], [count]), "kobot");
  });
});
