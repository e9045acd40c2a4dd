import assert from "node:assert/strict";

import { monitorRoomCalls } from "../server/http/monitor-calls.js";

/** The status the monitor's room-call guard gives `url`: 200 where it lets the call through. */
function statusOf(url: string): number {
  let status = 0;
  const res = { status: (code: number) => ((status = code), res), json: () => res } as never;
  monitorRoomCalls({ originalUrl: url } as never, res, () => void (status = 200));
  return status;
}

describe("The monitor's room calls (server/http/monitor-calls.ts)", () => {
  it("refuses a call naming two methods, even two allowed ones (the monitor reads one of them)", () => {
    assert.equal(statusOf("/monitor/api/room/call?roomId=x&method=disconnect"), 200);
    assert.equal(statusOf("/monitor/api/room/call?roomId=x&method=disconnect&method=_forceClientDisconnect"), 403);
  });
});
