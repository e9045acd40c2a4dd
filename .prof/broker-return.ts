import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startService, uniqueTopics } from "../test/helpers/processes.js";
import { answersTo, joinWorld, sleep, waitFor } from "../test/helpers/world.js";

const downS = Number(process.argv[2] ?? 25);
const dir = mkdtempSync(join(tmpdir(), "kb-"));
const sh = (...a: string[]) => execFileSync("bash", ["scripts/kafka-local.sh", ...a], { encoding: "utf8" }).trim().split("\n").at(-1)!;
const brokers = sh("start", dir);
const topics = uniqueTopics("ret");
const env = { KAFKA_BROKERS: brokers, KAFKA_QUESTION_TOPIC: topics.question, KAFKA_ANSWER_TOPIC: topics.answer, KAFKA_WORKER_GROUP: `w-${topics.question}`, NPC_TIMEOUT_MS: "3000", LOG_LEVEL: "debug" };
const port = await freePort();
const server = await startService("ret-server", "server/main.ts", { ...env, PORT: String(port), SERVER_ID: "ret" }, "world server listening");
const worker = await startService("ret-worker", "npc/worker-main.ts", env, "npc worker started");
const p = await joinWorld(`ws://127.0.0.1:${port}`, { name: "민수" });
p.room.send("chat", { text: "@kobot 배고파" });
await waitFor("first", () => answersTo(p)[0], 15000);
sh("stop", dir);
console.log("broker stopped; down", downS, "s");
await sleep(downS * 1000);
sh("start", dir);
const up = Date.now();
console.log("broker up again", new Date(up).toISOString());
const real = (t: string) => !/생각이 잘 안 나네요|대답하기가 어려워요/.test(t);
let asked = 0;
const started = answersTo(p).length;
for (;;) {
  const fresh = answersTo(p).slice(started);
  const good = fresh.find((l) => real(l.text));
  if (good) { console.log(JSON.stringify({ downS, firstRealAnswerAfterUpMs: Date.now() - up, asked, fallbacks: fresh.filter((l) => !real(l.text)).length })); break; }
  if (Date.now() - up > 90000) { console.log("no answer in 90 s"); break; }
  if (Date.now() - up > asked * 1000) { p.room.send("chat", { text: `@kobot 배고파 ${asked}` }); asked++; }
  await sleep(50);
}
await p.room.leave();
await Promise.all([server.stop(), worker.stop()]);
sh("stop", dir);
process.exit(0);
