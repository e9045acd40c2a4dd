import { connect, createServer, type Socket } from "node:net";

export interface FreezingProxy {
  /** `127.0.0.1:<port>`: what a client dials instead of the target. */
  host: string;
  /**
   * Nothing more passes either way on the connections open now, and neither end is told, as when a NAT or a Wi-Fi
   * forgets them (no FIN, no RST); connections made after pass as before.
   */
  freeze(): void;
  /**
   * What becomes of new connections: they `pass` (as at first), are closed as they come (`refuse`: a network that is
   * down), or are taken and then carry nothing either way (`swallow`: one that forgets them as soon as they are made).
   */
  newConnections(fate: "pass" | "refuse" | "swallow"): void;
  /**
   * On the connections open now, the next message the client sends passes, then nothing more from the client does
   * (the pongs to the target's pings included) while the target's frames still reach it: the target sees its messages
   * since go unconfirmed. `andFreeze`: then nothing passes the other way either, nor a close, as freeze(): the message
   * reached the target, and not one frame of its answer came back.
   */
  muteClientAfterNextMessage(andFreeze?: boolean): void;
  /** The connections open now (not frozen) are closed both ways, as a network that drops them; new ones fare as set. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP proxy on loopback to `targetPort` whose open connections can be frozen. */
export async function startFreezingProxy(targetPort: number): Promise<FreezingProxy> {
  const sockets = new Set<Socket>();
  const passing = new Set<[Socket, Socket]>();
  let fate: "pass" | "refuse" | "swallow" = "pass";
  const server = createServer((client) => {
    sockets.add(client);
    if (fate === "refuse") return void client.destroy();
    if (fate === "swallow") return void client.pause().on("error", () => {});
    const target = connect(targetPort, "127.0.0.1");
    const pair: [Socket, Socket] = [client, target];
    passing.add(pair);
    for (const socket of pair) sockets.add(socket);
    client.pipe(target).pipe(client);
    // One end closing closes the other, while the pair passes: a frozen pair carries no close either.
    const end = () => {
      if (!passing.delete(pair)) return;
      client.destroy();
      target.destroy();
    };
    for (const socket of pair) socket.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    freeze() {
      for (const pair of passing) {
        const [client, target] = pair;
        client.unpipe(target);
        target.unpipe(client);
        client.pause();
        target.pause();
      }
      passing.clear();
    },
    newConnections(then) {
      fate = then;
    },
    muteClientAfterNextMessage(andFreeze = false) {
      for (const pair of passing) {
        const [client, target] = pair;
        client.unpipe(target);
        // Frames are walked, not chunks: one read can hold a pong and the message after it, or the message and the
        // pongs that followed it (the page's pongs to a ping from just before the message came with it).
        let pending = Buffer.alloc(0);
        const relay = (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          for (let frame = frameLength(pending); frame !== undefined; frame = frameLength(pending)) {
            target.write(pending.subarray(0, frame));
            const message = (pending[0]! & 0x0f) < 8; // a message's opcode is below 8, a control frame's (a pong's) from 8
            pending = pending.subarray(frame);
            if (!message) continue;
            client.off("data", relay);
            client.pause();
            if (andFreeze) {
              // Before the target can have answered: it reads the message only on a later turn of its loop.
              target.unpipe(client);
              target.pause();
              passing.delete(pair);
            }
            return;
          }
        };
        client.on("data", relay).resume(); // unpiped, it was paused
      }
    },
    cut() {
      for (const [client, target] of passing) {
        client.destroy();
        target.destroy();
      }
      passing.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The length of the WebSocket frame at the start of `bytes` (a client's: masked), or undefined while it is not all there. */
function frameLength(bytes: Buffer): number | undefined {
  if (bytes.length < 2) return undefined;
  const short = bytes[1]! & 0x7f;
  const header = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (bytes[1]! & 0x80 ? 4 : 0);
  if (bytes.length < header) return undefined;
  const payload = short === 126 ? bytes.readUInt16BE(2) : short === 127 ? Number(bytes.readBigUInt64BE(2)) : short;
  return bytes.length < header + payload ? undefined : header + payload;
}
