import { AddressLines } from "./address-lines.js";
import { REPORTS_BURST, REPORTS_PER_SECOND } from "./player-allowances.js";
import type { WorldSettings } from "../world-settings.js";

/**
 * What the players of one client address say and report between them (CHAT_ADDRESS_SHARE players' worth), in
 * every room of the process together: built once by the server and handed to its rooms, as DepartedAllowances is.
 * Until session 67 each room had its own, so one address's 64 sessions spread over 8 rooms said 8 times the lines
 * and questions of the same 64 in one room. Not across server processes (each has its own, as with departed allowances).
 */
export interface AddressShares {
  lines: AddressLines;
  /** As many players' worth of reports as of lines. */
  reports: AddressLines;
}

/** The process's address shares; undefined when CHAT_ADDRESS_SHARE is 0 (no such cap). */
export function addressShares(settings: Pick<WorldSettings, "chatRate" | "chatAddressShare">): AddressShares | undefined {
  const share = settings.chatAddressShare;
  if (share <= 0) return undefined;
  return {
    lines: new AddressLines(settings.chatRate, share),
    reports: new AddressLines({ burst: REPORTS_BURST, perSecond: REPORTS_PER_SECOND }, share),
  };
}
