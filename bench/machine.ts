import { cpus, totalmem } from "node:os";

/** The machine a benchmark ran on, written beside its numbers (runs on other machines don't compare). */
export function machineInfo() {
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}
