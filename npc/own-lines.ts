/**
 * An NPC's own lines (answers from its knowledge file shown in the prompt) are said as written once the
 * model begins one. Shown "빵집 어디야? → 광장에서 북동쪽으로 가면 미나의 빵집이 있어요." and asked "빵집은 어디
 * 있어?", the shipped model began "광" and went on "합격이 꽤": a small model goes on with the words of its
 * training, not a studio's new ones (its logit for "장에서" was 6.8 below "합"; a boost of 5 changed nothing).
 * Whether to say a line stays the model's choice (its first token); the rest is the line. The answer's
 * confidence stays the model's probability of every token said, so it is low for a line (−4 to −6 a token):
 * the worker never withholds an own line for it, but choosing among sampled candidates, which keeps the
 * most likely, rarely keeps one.
 *
 * Returns the token that goes on with a line the answer so far begins (its `</s>` after the last token;
 * the most likely one when several lines fit), or undefined. `lines` are token ids; `scores` one row's logits.
 */
export function ownLineToken(answer: readonly number[], lines: readonly (readonly number[])[], eosId: number, scores: Float32Array): number | undefined {
  if (answer.length === 0) return undefined;
  let next: number | undefined;
  for (const line of lines) {
    if (answer.length > line.length || !answer.every((id, i) => id === line[i])) continue;
    const id = answer.length === line.length ? eosId : line[answer.length]!;
    if (next === undefined || scores[id]! > scores[next]!) next = id;
  }
  return next;
}

/** Whether `ids` are one of `lines` whole. */
export function isOwnLine(ids: readonly number[], lines: readonly (readonly number[])[]): boolean {
  return lines.some((line) => line.length === ids.length && line.every((id, i) => id === ids[i]));
}
