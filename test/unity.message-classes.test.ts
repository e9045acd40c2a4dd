import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { QuestionMessage } from "../kafka/contract.js";
import { PRIVATE_LINE, SAID } from "../rooms/world-protocol.js";
import { saveWorld } from "./helpers/save-world.js";
import { joinWorld, scriptedAnswer, sleep, startTestWorld, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const NETWORK = "unity-client/Assets/Scripts/KobotNetwork.cs";

/** The C# field types a JSON value of each JavaScript kind may fill (the Unity SDK decodes messages into the class). */
const FITS: Record<string, (value: unknown) => boolean> = {
  string: (value) => typeof value === "string",
  bool: (value) => typeof value === "boolean",
  int: (value) => Number.isInteger(value),
  long: (value) => Number.isInteger(value),
  double: (value) => typeof value === "number",
  float: (value) => typeof value === "number",
};

/**
 * Each message the Unity client reads (`room.OnMessage<Class>("type", …)` in KobotNetwork.cs) with its class's public
 * fields: hand-written C#, which no compiler holds to the server's TypeScript.
 */
function unityMessageClasses(): Map<string, { className: string; fields: Map<string, string> }> {
  const source = readFileSync(NETWORK, "utf8");
  const constants: Record<string, string> = { "WorldProtocol.PrivateLine": PRIVATE_LINE, "WorldProtocol.Said": SAID };
  const classes = new Map<string, { className: string; fields: Map<string, string> }>();
  for (const [, className, type] of source.matchAll(/OnMessage<(\w+)>\(("[a-z_]+"|WorldProtocol\.\w+)/g)) {
    const body = new RegExp(`public class ${className}\\s*\\{([\\s\\S]*?)\\n    \\}`).exec(source)?.[1];
    assert.ok(body, `class ${className} in ${NETWORK}`);
    const fields = new Map([...body.matchAll(/^ {8}public (\w+) (\w+);/gm)].map(([, csType, name]) => [name!, csType!]));
    classes.set(type!.startsWith('"') ? JSON.parse(type!) : constants[type!]!, { className: className!, fields });
  }
  return classes;
}

// Its own server: what it must make the room send (a receipt, an address's share) needs settings of its own.
describe("Unity client's message classes", function () {
  this.timeout(30_000);
  let world: TestWorld;
  const sent: { type: string; message: Record<string, unknown> }[] = [];
  const classes = unityMessageClasses();
  /** Every message to `player`: of the types the Unity client reads, and of any other ("*" hears those alone). */
  const capture = (player: TestPlayer) => {
    for (const type of [...classes.keys(), "*"]) {
      player.room.onMessage(type, (...args: unknown[]) => void sent.push(type === "*" ? { type: String(args[0]), message: args[1] as Record<string, unknown> } : { type, message: args[0] as Record<string, unknown> }));
    }
  };

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-unity-messages-")), "world.json");
    saveWorld(file, {
      npcs: [
        { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10 },
        { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10, privateTalk: true },
        { id: "hermit", name: "은둔자", position: { x: 40, y: 0, z: 40 }, talkRadius: 5 },
      ],
    });
    // ACTION_SECRET: npc_action's receipt; TRUST_PROXY and CHAT_ADDRESS_SHARE: a rate_limited error's byAddress.
    world = await startTestWorld({
      WORLD_FILE: file, ACTION_SECRET: "a secret the game's backend shares, 32+ chars",
      TRUST_PROXY: "1", CHAT_BURST: "2", CHAT_LINES_PER_SECOND: "0.5", CHAT_ADDRESS_SHARE: "2",
    });
    // Hans's answers do an action, as a knowledge line with `action` does.
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) =>
      questions.map((q) => ({ ...scriptedAnswer(q, `답: ${q.text}`), ...(q.npcId === "hans" ? { action: "open_shop" } : {}) })));
  });
  after(() => world.stop());

  it("have exactly the fields of the messages a room sends, every optional one included, of types that take their values", async () => {
    // Three players of one address (behind the proxy), and one of their own.
    const sameAddress = { "x-forwarded-for": "203.0.113.7" };
    const asker = await joinWorld(world.url, { name: "묻는이" }, undefined, sameAddress);
    const housemates = [await joinWorld(world.url, { name: "같은집1" }, asker.room.roomId, sameAddress), await joinWorld(world.url, { name: "같은집2" }, asker.room.roomId, sameAddress)];
    const stranger = await joinWorld(world.url, { name: "나그네" }, asker.room.roomId);
    for (const player of [asker, ...housemates, stranger]) capture(player);

    asker.room.send("chat", { text: "@한스 검 있어요?", sendId: "line-1" }); // npc_action, with its receipt; said
    asker.room.send("chat", { text: "@미나 몰래 물어볼게" }); // private_line: the question and its answer
    stranger.room.send("chat", { text: "@은둔자 거기 누구 있어요?", sendId: "line-2" }); // too_far: text, npcId, distance, talkRadius; sendId
    stranger.room.send("report", { player: asker.room.sessionId, reason: "도배" }); // reported
    // rate_limited: past each one's own burst (text, retryAfterMs) and their address's share (byAddress).
    for (const player of housemates) for (const word of ["가", "나", "다"]) player.room.send("chat", { text: word });
    // Waited for by type alone, then until nothing more comes: a field renamed fails the comparison below, not the wait.
    await waitFor("a message of each type", () => [...classes.keys()].every((type) => sent.some((m) => m.type === type)));
    for (let count = -1; count !== sent.length; await sleep(300)) count = sent.length;

    assert.deepEqual([...new Set(sent.map((m) => m.type))].filter((type) => !classes.has(type)), [], "a message the Unity client does not read");
    for (const [type, { className, fields }] of classes) {
      const messages = sent.filter((m) => m.type === type).map((m) => m.message);
      const keys = new Set(messages.flatMap((message) => Object.keys(message)));
      assert.deepEqual([...fields.keys()].sort(), [...keys].sort(), `${className}'s public fields (${NETWORK}) against the keys of every "${type}" message the room sent`);
      for (const message of messages) {
        for (const [key, value] of Object.entries(message)) {
          assert.ok(FITS[fields.get(key)!]?.(value), `${className}.${key} is ${fields.get(key)}: the room sent ${JSON.stringify(value)}`);
        }
      }
    }
    await Promise.all([asker, ...housemates, stranger].map((player) => player.room.leave()));
  });
});
