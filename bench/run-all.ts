/**
 * npm run bench: every benchmark of the project, one after another (they would disturb each other
 * side by side), then the plots and bench/README.md (bench/plot.py, in the project's Python env). Not bench:model-ab,
 * which compares a model folder with one you give it.
 */
import { execFileSync } from "node:child_process";

import { commandArgs } from "../common/cli-args.js";

commandArgs("npm run bench", { options: {} }); // it takes none: `--help` or a stray option is not hours of benchmarks

const benchmarks = ["bench:npc", "bench:chat", "bench:index", "bench:loadtest", "bench:fairness", "bench:one-address", "bench:busy-room", "bench:sight", "bench:many-npcs", "bench:soak", "bench:schema-refcounts", "bench:npc-memory-sweep", "bench:reports-list", "bench:presence-file", "bench:archive-erasure", "bench:moderation", "bench:broker-restart", "bench:idle", "bench:analytics", "bench:archive"];
for (const name of benchmarks) {
  console.log(`\n=== npm run ${name}`);
  execFileSync("npm", ["run", name], { stdio: "inherit" });
}
const python = execFileSync("bash", ["scripts/python-env.sh"], { encoding: "utf8" }).trim();
execFileSync(python, ["bench/plot.py"], { stdio: "inherit" });
