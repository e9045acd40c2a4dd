/**
 * Where a benchmark writes its JSON: bench/results/, or the folder in BENCH_RESULTS, so a smoke run
 * (bench/smoke.ts) leaves the committed results alone.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export function resultsFile(name: string): string {
  const folder = process.env.BENCH_RESULTS ? resolve(process.env.BENCH_RESULTS) : join(import.meta.dirname, "results");
  mkdirSync(folder, { recursive: true });
  return join(folder, name);
}
