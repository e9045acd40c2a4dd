/**
 * The smallest game backend beside the world server: it grants what NPCs offer players on the action's receipt, once
 * each, and tells NPCs what happened in the game (docs/knowledge.md, "Lines that do something in the game"; docs/worlds.md, "Game events").
 *
 *   ACTION_SECRET=… BACKEND_TOKEN=… KOBOT_HTTP=http://localhost:2567 npx tsx examples/game-backend.ts [port]
 *
 * `POST /actions {receipt}`: the client hands on the receipt of an `npc_action`; 200 `{granted, npc, player}`, 403
 * with what is wrong, or 409 when that receipt was used already. `POST /quests/done {player}` or `{account}`: the
 * quest is done, and the smith says so to the player (`quest_done`, worlds/village.yaml).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

import { ActionReceiptError, readActionReceipt } from "../rooms/npc/action-receipts.js";

export interface GameBackendOptions {
  /** The world server's ACTION_SECRET. */
  secret: string;
  /** The world server's HTTP address, and its BACKEND_TOKEN for the events API. */
  kobotHttp: string;
  token: string;
  port?: number;
}

export async function startGameBackend(options: GameBackendOptions): Promise<{ url: string; close(): Promise<void> }> {
  // Receipts granted, until they expire (a receipt's `line` is its id): each is good once.
  const granted = new Map<string, number>();
  const routes: Record<string, (body: Record<string, unknown>) => Promise<[number, unknown]>> = {
    async "/actions"({ receipt }) {
      let claims;
      try {
        claims = await readActionReceipt(String(receipt), options.secret);
      } catch (error) {
        if (error instanceof ActionReceiptError) return [403, { error: error.message }];
        throw error;
      }
      const now = Date.now();
      for (const [line, expires] of granted) if (expires < now) granted.delete(line);
      if (granted.has(claims.line)) return [409, { error: "this receipt was used already" }];
      granted.set(claims.line, now + 86_400_000);
      // Here a real game opens the shop, starts the quest, gives the item.
      return [200, { granted: claims.action, npc: claims.npc, player: claims.account ?? claims.player }];
    },
    async "/quests/done"({ player, account }) {
      const response = await fetch(`${options.kobotHttp}/api/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
        body: JSON.stringify({ npc: "hans", event: "quest_done", ...(account ? { account } : { player }) }),
      });
      // The caller's own mistake (no player named) is theirs to mend; any other refusal is this backend's.
      return [response.status === 202 ? 200 : response.status === 400 ? 400 : 502, await response.json()];
    },
  };
  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const route = req.method === "POST" ? routes[req.url ?? ""] : undefined;
    const json = route && (await jsonOf(req));
    const [status, body] = !route
      ? [404, { error: "no such route" }]
      : !json
        ? [413, { error: `the body is over ${BODY_LIMIT} bytes` }]
        : await route(json).catch((error: Error) => [500, { error: error.message }] as [number, unknown]);
    res.writeHead(status, { "content-type": "application/json", ...(json ? {} : { connection: "close" }) }).end(JSON.stringify(body));
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Bytes of a request body read at most: a receipt is under 1 KB, and a body is read whole before it is looked at. */
const BODY_LIMIT = 16_384;

/** The body as JSON ({} when it is not an object), or undefined when it is over BODY_LIMIT. */
async function jsonOf(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  // Bytes, joined before they are decoded: a character split between two chunks decoded apart was two broken ones.
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > BODY_LIMIT) return undefined;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// Run as a script; imported (by its test), it only exports. No top-level await: mocha loads tests with require().
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { ACTION_SECRET: secret, BACKEND_TOKEN: token, KOBOT_HTTP: kobotHttp = "http://localhost:2567" } = process.env;
  if (!secret || !token) throw new Error("set ACTION_SECRET and BACKEND_TOKEN, the world server's");
  void startGameBackend({ secret, kobotHttp, token, port: Number(process.argv[2] ?? 8080) }).then((backend) =>
    console.log(`game backend on ${backend.url}: POST /actions {receipt}, POST /quests/done {player|account}`));
}
