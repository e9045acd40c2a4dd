/**
 * The k best items, best first, in one pass with a small sorted buffer: cheaper than sorting everything
 * when k is small (the 40 most likely of 8,000 tokens, the 2 most similar of thousands of pairs).
 */
export function takeBest<T>(items: Iterable<T>, k: number, isBetter: (a: T, b: T) => boolean): T[] {
  const best: T[] = [];
  if (k <= 0) return best;
  for (const item of items) {
    if (best.length === k && !isBetter(item, best[k - 1]!)) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && isBetter(item, best[at - 1]!)) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = item;
  }
  return best;
}
