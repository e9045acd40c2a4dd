/**
 * Small statistics for benchmark tables. Nearest rank, but p50 of an even count is the mean of its two middle values:
 * the median the tables say (nearest rank gave the lower one, the slower of two bursts).
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 50 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

/** Megabytes in every bench's `…MB` columns: 2^20 bytes (MiB), as RSS and heap sizes are usually read. */
export const MB = 2 ** 20;

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function printTable(rows: Record<string, string | number>[]): void {
  const columns = Object.keys(rows[0] ?? {});
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => "| " + cells.map((cell, i) => cell.padEnd(width[i]!)).join(" | ") + " |";
  console.log(line(columns));
  console.log("|" + width.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const row of rows) console.log(line(columns.map((c) => String(row[c]))));
}
