/**
 * The members of a large JSON array or object, `perPiece` at a time, for a file written in pieces (kept-presence.ts):
 * each piece is what `json` makes of a batch without its brackets, and starts with a comma but the first.
 */
export function* jsonPieces<T>(items: Iterable<T>, perPiece: number, json: (batch: T[]) => string): Generator<string> {
  let batch: T[] = [];
  let pieces = 0;
  const piece = () => `${pieces++ > 0 ? "," : ""}${json(batch).slice(1, -1)}`;
  for (const item of items) {
    batch.push(item);
    if (batch.length < perPiece) continue;
    yield piece();
    batch = [];
  }
  if (batch.length > 0) yield piece();
}
