import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";

import { startFreezingProxy } from "./helpers/freezing-proxy.js";

/** A client's WebSocket frame (masked, as a browser sends it) with `opcode` and `payload`. */
function clientFrame(opcode: number, payload: string): Buffer {
  const data = Buffer.from(payload);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = data.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | data.length]), mask, masked]);
}

const pong = (payload: string) => clientFrame(0xa, payload);
const text = (payload: string) => clientFrame(0x1, payload);

/** The freezing proxy the browser tests use: what it lets through decides what those tests show. */
describe("Test helper: the freezing proxy", () => {
  it("mutes a client after its next message by frames, not reads: a pong in the same read before it passes, one after it does not", async () => {
    const received: Buffer[] = [];
    let serverSide: Socket | undefined;
    const target = createServer((socket) => {
      serverSide = socket;
      socket.on("data", (chunk) => received.push(chunk));
    });
    target.listen(0, "127.0.0.1");
    await once(target, "listening");
    const proxy = await startFreezingProxy((target.address() as { port: number }).port);
    const client = connect(Number(proxy.host.split(":")[1]), "127.0.0.1");
    try {
      await once(client, "connect");
      while (!serverSide) await new Promise((resolve) => setTimeout(resolve, 10));
      proxy.muteClientAfterNextMessage();
      // One read: a pong (to a ping from before), the message, then a pong confirming what came after it, split
      // mid-frame across two writes; then another message.
      const sent = Buffer.concat([pong("1"), text("question"), pong("2")]);
      client.write(sent.subarray(0, 12));
      await new Promise((resolve) => setTimeout(resolve, 50));
      client.write(sent.subarray(12));
      client.write(text("later"));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(Buffer.concat(received), Buffer.concat([pong("1"), text("question")]));
    } finally {
      client.destroy();
      await proxy.close();
      target.close();
    }
  });
});
