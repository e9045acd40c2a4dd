import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { LocalPresence } from "@colyseus/core";
import type { Client } from "@elastic/elasticsearch";
import express from "express";

import { erasureRoutes } from "../server/http/erasure-routes.js";
import { quiet } from "./helpers/world.js";

/** The erasure route alone (server/http/erasure-routes.ts), on a chat index that fails as told. */
describe("A player's erasure when the chat index fails", () => {
  const erase = async (es: Partial<Client>) => {
    const app = express();
    erasureRoutes(
      app,
      {
        presence: () => new LocalPresence(),
        process: () => "p1",
        npcs: () => [],
        chatIndex: { client: es as Client, indexPrefix: "kobot-chat-test" },
        archive: { erase: async () => 3 },
        chatLog: { flush: async () => {}, dropWaiting: async () => {} },
      },
      (_req, _res, next) => next(),
      quiet,
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/api/erasures`, { method: "POST", body: '{"account":"acc-1"}' });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    } finally {
      server.close();
    }
  };
  const failing = (message: string) => async () => Promise.reject(new Error(message));

  it("erases nothing, and says so, when Elasticsearch does not answer at first", async () => {
    const { status, body } = await erase({ cat: { indices: failing("connect ECONNREFUSED") } as unknown as Client["cat"] });
    assert.equal(status, 502);
    assert.deepEqual([body.done, body.archivedLines], [[], undefined]);
    assert.match(String(body.error), /nothing erased, ask again/);
  });

  // Checked before anything went, the index can still fail after (a month closed meanwhile, the node gone).
  it("names the parts it erased, and says asking again finishes it, when the index fails after the check", async () => {
    const { status, body } = await erase({
      cat: { indices: async () => [] } as unknown as Client["cat"],
      indices: { create: failing("connect ECONNRESET") } as unknown as Client["indices"],
    });
    assert.equal(status, 502);
    assert.deepEqual([body.done, body.archivedLines, body.npcMemories], [["npcMemories", "openReports", "archivedLines"], 3, 0]);
    assert.match(String(body.error), /the rest is erased.*ask again to finish/);
  });
});
