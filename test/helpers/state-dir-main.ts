/**
 * A service for tools/processes.ts's test: writes a record into the worker state folder it was given, as an NPC worker
 * does, writes that folder's path to STATE_DIR_REPORT, says it is ready, and runs until it is stopped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.NPC_WORKER_STATE_DIR;
if (dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "worker-0.json"), "{}");
}
writeFileSync(process.env.STATE_DIR_REPORT!, dir ?? "");
console.error(JSON.stringify({ msg: "state kept" }));
setInterval(() => {}, 60_000);
