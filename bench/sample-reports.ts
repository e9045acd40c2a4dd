import type { Presence } from "@colyseus/core";

import { fileReport, REPORT_LINES } from "../rooms/moderation/player-reports.js";

const said = "야 너 진짜 그렇게 하면 안 되지 않냐 ㅋㅋ 다시 해봐 이번엔 제대로";

/**
 * Files `count` players' reports of the usual size (the reported player's 5 lines) about 500 players, each a second
 * apart in time: a store at its cap for the moderators' benchmarks. 500 filed at a time.
 */
export async function fileSampleReports(presence: Presence, count: number): Promise<void> {
  const filings: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    filings.push(fileReport(presence, {
      at: 1_700_000_000_000 + i, roomId: "room-1",
      reporter: { player: `p${i}`, name: `플레이어${i}`, account: `account-${i}` },
      reported: { player: `q${i % 500}`, name: `말썽꾼${i % 500}`, account: `rude-${i % 500}` },
      reason: "욕설·비하",
      lines: Array.from({ length: REPORT_LINES }, (_, k) => ({ id: `01JABCDEFGHJKMNPQRST${i}-${k}`, text: said, ts: 1_700_000_000_000 + i })),
    }, { kept: count }));
    if (filings.length >= 500) await Promise.all(filings.splice(0));
  }
  await Promise.all(filings);
}
