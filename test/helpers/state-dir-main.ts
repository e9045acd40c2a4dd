/**
 * A service for tools/processes.ts's test: writes a record into the worker state folder and a file into the DATA_DIR it
 * was given, as an NPC worker and a server do, writes both folders' paths to STATE_DIR_REPORT (JSON), says it is ready,
 * and runs until it is stopped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.NPC_WORKER_STATE_DIR;
if (dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "worker-0.json"), "{}");
}
const dataDir = process.env.DATA_DIR;
if (dataDir && dataDir !== "off") writeFileSync(join(dataDir, "moderation.json"), "{}");
writeFileSync(process.env.STATE_DIR_REPORT!, JSON.stringify({ stateDir: dir ?? "", dataDir: dataDir ?? "" }));
console.error(JSON.stringify({ msg: "state kept" }));
setInterval(() => {}, 60_000);
