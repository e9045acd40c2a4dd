import type { Client, errors, estypes } from "@elastic/elasticsearch";

import { CHAT_INDEX_PREFIX } from "./index-template.js";

/** Line ids per query: well under Elasticsearch's 65,536 terms a query. */
const IDS_PER_QUERY = 10_000;

/** Documents per search page and per bulk request. */
const PAGE = 1000;
/** How long the node keeps a point in time between two pages. */
const KEEP_ALIVE = "1m";

type Document = { _index: string; _id: string };
type FieldValue = estypes.FieldValue;

/**
 * Erases a signed-in player's lines from the chat index: every record they wrote (their lines, the ones moderation
 * stopped, the reports they filed) and the NPCs' answers to their lines, which carry their question (`npc.question`):
 * by their line, or by the asker's account they carry (`npc.asker`).
 * Returns how many records went. Greetings that name them stay, as do other players' reports of them (a moderator's
 * evidence, the reporter's record). Found by paging and deleted in bulk, not by _delete_by_query: that lives in the
 * reindex module, which a node may not have (the integ-test-zip the tests run does not).
 */
export async function eraseAccountLines(es: Client, account: string, prefix = CHAT_INDEX_PREFIX, pageSize = PAGE): Promise<number> {
  // Every index of the alias, or the erasure fails: a closed month (an operator saving heap) skipped without a word
  // kept its lines, searchable again once opened.
  const where = { index: prefix, ignore_unavailable: false, allow_no_indices: true } as const;
  try {
    await es.indices.refresh(where); // lines indexed a moment ago are found too
  } catch (error) {
    if (errorType(error) === "index_not_found_exception") return 0; // nothing indexed yet
    if (errorType(error) === "index_closed_exception") throw new Error(`${reasonOf(error)}: open it (POST /<index>/_open) and ask again`);
    throw error;
  }
  // Paged by search_after in a point in time, in the shards' own order, not a scroll: clearing a scroll the node already
  // let go answers 404, which fails the helper. Not by the lines' fields either: a month's index made without the
  // template (guessed mappings, `id` a text field) failed every erasure ("Fielddata is disabled on [id]").
  const found = async (query: Record<string, unknown>): Promise<Document[]> => {
    const documents: Document[] = [];
    const pit = await es.openPointInTime({ ...where, keep_alive: KEEP_ALIVE });
    try {
      for (let after: FieldValue[] | undefined; ; ) {
        const page = await es.search({
          pit: { id: pit.id, keep_alive: KEEP_ALIVE },
          query,
          _source: false,
          size: pageSize,
          sort: ["_shard_doc"],
          allow_partial_search_results: false, // a shard that failed would keep its lines, unsaid
          ...(after ? { search_after: after } : {}),
        });
        const hits = page.hits.hits;
        documents.push(...hits.map(({ _index, _id }) => ({ _index, _id: _id! })));
        if (hits.length < pageSize) return documents;
        after = hits.at(-1)!.sort;
      }
    } finally {
      await es.closePointInTime({ id: pit.id }).catch(() => {}); // let go by the node already: nothing to do
    }
  };
  // Their lines, and the answers that name them as the asker (found so even where the question's line was erased
  // before the answer was indexed).
  const theirs = await found({ bool: { should: [{ term: { account } }, { bool: { filter: [{ term: { kind: "npc" } }, { term: { "npc.asker": account } }] } }] } });
  const lineIds = theirs.map((line) => line._id); // a line's document id is its line id
  const answers: Document[] = [];
  for (let start = 0; start < lineIds.length; start += IDS_PER_QUERY) {
    answers.push(...(await found({ bool: { filter: [{ term: { kind: "npc" } }, { terms: { replyTo: lineIds.slice(start, start + IDS_PER_QUERY) } }] } })));
  }
  // An answer found both ways is deleted once.
  const doomed = [...new Map([...theirs, ...answers].map((document) => [`${document._index}/${document._id}`, document])).values()];
  let erased = 0;
  for (let start = 0; start < doomed.length; start += pageSize) {
    const chunk = doomed.slice(start, start + pageSize);
    const response = await es.bulk({ refresh: true, operations: chunk.map(({ _index, _id }) => ({ delete: { _index, _id } })) });
    const failed = response.items.filter((item) => item.delete?.error);
    if (failed.length > 0) throw new Error(`${failed.length} of ${doomed.length} lines not erased: ${JSON.stringify(failed[0]!.delete!.error)}`);
    erased += response.items.filter((item) => item.delete?.result === "deleted").length;
  }
  return erased;
}

const errorType = (error: unknown) => (error as errors.ResponseError).body?.error?.type as string | undefined;
const reasonOf = (error: unknown) => String((error as errors.ResponseError).body?.error?.reason ?? error);
