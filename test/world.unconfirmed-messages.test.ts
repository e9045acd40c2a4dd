import assert from "node:assert/strict";
import net from "node:net";

import type { QuestionMessage } from "../kafka/contract.js";
import { type FreezingProxy, startFreezingProxy } from "./helpers/freezing-proxy.js";
import { joinThroughProxy, joinWorld, scriptedAnswer, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

/**
 * A TCP proxy in front of the server whose connections can go dead without a close, as a phone's out of coverage:
 * the client sees its socket drop, the server sees nothing and writes on into a socket nobody reads.
 */
async function deadlyProxy(port: number) {
  const live = new Set<{ dead: boolean; client: net.Socket; server: net.Socket }>();
  const proxy = net.createServer((client) => {
    const server = net.connect(port, "127.0.0.1");
    const link = { dead: false, client, server };
    live.add(link);
    client.on("data", (data) => void (link.dead || server.write(data)));
    server.on("data", (data) => void (link.dead || client.write(data)));
    const end = () => {
      if (link.dead) return;
      client.destroy();
      server.destroy();
    };
    for (const socket of [client, server]) socket.on("close", end).on("error", () => {});
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    /** Every connection now dies: the client's side closes, the server's stays open and unread. */
    cut() {
      for (const link of live) {
        link.dead = true;
        link.client.destroy();
      }
      live.clear();
    },
    close() {
      for (const link of live) link.server.destroy();
      proxy.close();
    },
  };
}

describe("messages sent into a connection that died unnoticed", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let proxy: Awaited<ReturnType<typeof deadlyProxy>>;

  before(async () => {
    // The brain answers after the room has given up on it (NPC_TIMEOUT_MS): the room sends a fallback line and an
    // npc_timeout error to the player.
    world = await startTestWorld({ NPC_TIMEOUT_MS: "800" });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
      await sleep(2000);
      return questions.map((q) => scriptedAnswer(q, "늦은 답"));
    });
    proxy = await deadlyProxy(world.server.port);
  });
  after(async () => {
    proxy.close();
    await world.stop();
  });

  const joinByProxy = async (name: string): Promise<TestPlayer> => {
    const player = await joinWorld(proxy.url, { name });
    Object.assign(player.room.reconnection, { minUptime: 0, minDelay: 1500, maxDelay: 1500 });
    return player;
  };

  it("come again once the player is back: the error sent while the server had not noticed the drop", async () => {
    const a = await joinByProxy("끊긴이");
    const back = new Promise<void>((resolve) => a.room.onReconnect(() => resolve()));
    a.room.send("chat", { text: "@kobot 하나" });
    await waitFor("the question with kobot", () => stateOf(a).npcs.kobot?.status === "thinking");
    proxy.cut(); // the timeout's error goes into the dead socket at 800 ms; the SDK takes the place back at 1.5 s
    await back;
    const timedOut = await waitFor("the npc_timeout error", () => a.errors.find((e) => e.code === "npc_timeout"), 3000);
    assert.equal(timedOut.npcId, "kobot");
    await a.room.leave();
  });

  it("do not come twice: what the client confirmed taking is not sent again", async () => {
    const a = await joinByProxy("다시온이");
    a.room.send("chat", { text: "@kobot 둘" });
    await waitFor("the npc_timeout error", () => a.errors.find((e) => e.code === "npc_timeout"), 3000);
    await sleep(300); // its ping's pong is back
    const back = new Promise<void>((resolve) => a.room.onReconnect(() => resolve()));
    proxy.cut();
    await back;
    await sleep(500);
    assert.deepEqual(a.errors.map((e) => e.code), ["npc_timeout"]);
    await a.room.leave();
  });
});

describe("an error the client took but never confirmed", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let proxy: FreezingProxy;

  before(async () => {
    world = await startTestWorld();
    proxy = await startFreezingProxy(world.server.port);
  });
  after(async () => {
    await proxy.close();
    await world.stop();
  });

  it("comes again after the reconnection with the id it came with, so the client tells it from a new one", async () => {
    const { room, errors } = await joinThroughProxy(proxy, world.url, "두번들은이");
    Object.assign(room.reconnection, { minUptime: 0, minDelay: 200, maxDelay: 200 });
    // The line reaches the room; the pong that would confirm its refusal does not.
    proxy.muteClientAfterNextMessage();
    room.send("chat", { text: "안녕?", to: "dragon" });
    await waitFor("the refusal", () => errors[0]);
    const back = new Promise<void>((resolve) => room.onReconnect(() => resolve()));
    proxy.cut();
    await back;
    await waitFor("the refusal again", () => errors[1], 5000);
    assert.deepEqual(errors.map((e) => e.code), ["unknown_npc", "unknown_npc"]);
    assert.match(errors[0]!.id ?? "", /^[\w-]{16}$/);
    assert.equal(errors[1]!.id, errors[0]!.id);
    await room.leave();
  });
});
