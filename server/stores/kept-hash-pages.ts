import { setImmediate as turn } from "node:timers/promises";

import { type HashPages, presenceHashPages } from "../../rooms/hash-pages.js";
import type { KeptPresence } from "./kept-presence.js";

/** Fields a page holds: a few ms of the event loop. */
const PAGE_FIELDS = 1000;

/**
 * A hash of the embedded presence read in place, a page at a time, the event loop running the rooms between pages:
 * read whole (HGETALL's copy), an NPC's memory of 100,000 accounts held every room of the process ~250 ms at each sweep.
 */
export function keptHashPages(presence: KeptPresence, pageFields = PAGE_FIELDS): HashPages {
  return {
    async *pages(key) {
      let page: [string, string][] = [];
      // A Map's iterator goes on past the fields deleted behind it, and sees those added after it.
      for (const entry of presence.hashEntries(key)) {
        page.push(entry);
        if (page.length < pageFields) continue;
        yield page;
        page = [];
        await turn();
      }
      if (page.length > 0) yield page;
    },
    // The presence's own reads and deletes: a field of a kept hash is read from its Map, without a copy.
    deleteAtOrBefore: presenceHashPages(presence).deleteAtOrBefore,
  };
}
