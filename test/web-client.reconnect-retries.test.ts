import assert from "node:assert/strict";
import { Room } from "@colyseus/sdk";

import { RECONNECT_SECONDS } from "../rooms/world-protocol.js";
import { retriesWithin } from "../web-client/src/reconnect-retries.js";

describe("Web client: the SDK's reconnection retries", () => {
  /** The time `retries` of the SDK's retries wait, with its own delays. */
  const waited = (reconnection: Room["reconnection"], retries: number) =>
    Array.from({ length: retries }, (_, i) => Math.min(reconnection.maxDelay, Math.max(reconnection.minDelay, reconnection.backoff(i + 1, reconnection.delay))))
      .reduce((sum, ms) => sum + ms, 0);

  it("fit in the time the room keeps a dropped player's place: the SDK's 15 waited ~56 s at a crashed server", () => {
    const { reconnection } = new Room("world"); // the SDK's defaults
    assert.ok(waited(reconnection, reconnection.maxRetries) > 50_000, "the SDK's own: past the place's 20 s");
    const retries = retriesWithin(RECONNECT_SECONDS * 1000, reconnection);
    assert.ok(waited(reconnection, retries) <= RECONNECT_SECONDS * 1000);
    assert.ok(waited(reconnection, retries + 1) > RECONNECT_SECONDS * 1000, "as many as fit");
    assert.equal(retriesWithin(50, reconnection), 1, "one at least");
  });
});
