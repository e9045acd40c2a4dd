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
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
