import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";

import { type AnswerMessage, CONTRACT_VERSION, type QuestionMessage } from "../../kafka/contract.js";
import { ensureTopics } from "../../kafka/kafka-client.js";
import { type Service, serviceLog, startService, uniqueTopics } from "../../tools/processes.js";
import { waitFor } from "../helpers/world.js";

/**
 * A question that kills a Kafka worker's process is not committed: Kafka gives it to the restarted worker, which died
 * on it again, and each worker a player asking it again reached. The workers here (test/helpers/dying-worker-main.ts)
 * exit whenever their brain runs "죽어", and are started again after each death on the same state folder, as compose
 * restarts one with its volume.
 */
describe("Kafka worker on a question that kills its process (real broker)", function () {
  this.timeout(180_000);
  const topics = uniqueTopics("killers");
  // Made when the suite runs, not when the file loads: a run that filters these tests out ran no hook to remove it.
  let stateDir: string;
  const answers = new Map<string, AnswerMessage>();
  const services: Service[] = [];
  let kafka: Kafka;
  let reader: Consumer;
  let producer: Producer;
  let starts = 0;

  // Read as each worker starts: the fixture sets the broker's address after this file is loaded.
  const env = () => ({
    KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS!,
    KAFKA_QUESTION_TOPIC: topics.question,
    KAFKA_ANSWER_TOPIC: topics.answer,
    KAFKA_WORKER_GROUP: `workers-${topics.question}`,
    WORLD_FILE: "off",
    NPC_WORKER_STATE_DIR: stateDir,
  });
  /** A worker started on the state folder, and a promise of its exit code. */
  const startWorker = async () => {
    const name = `killers-worker-${++starts}`;
    const service = await startService(name, "test/helpers/dying-worker-main.ts", env(), "npc worker started").catch((error: Error) => {
      // Given the question before its start was said: its death is what is looked for.
      if (/exited with 3 before it was ready/.test(error.message)) return { process: { exitCode: 3 } } as unknown as Service;
      throw error;
    });
    if (service.process.exitCode === null) services.push(service);
    const exited = new Promise<number | null>((resolve) =>
      service.process.exitCode !== null ? resolve(service.process.exitCode) : service.process.once("exit", (code) => resolve(code)),
    );
    return { name, service, exited };
  };
  /** Asks `text`, to be answered within `withinMs` (a server's NPC_TIMEOUT_MS); resolves to its deadline. */
  const ask = async (questionId: string, text: string, withinMs = 150_000) => {
    const now = Date.now();
    const question: QuestionMessage = {
      v: CONTRACT_VERSION, questionId, roomId: "room", npcId: "kobot", playerId: "p", playerName: "p", text, ts: now, deadline: now + withinMs, replyTo: "s",
    };
    await producer.send({ topic: topics.question, messages: [{ key: question.roomId, value: JSON.stringify(question) }] });
    return question.deadline!;
  };
  const answerTo = (questionId: string, within = 60_000) => waitFor(`the answer to ${questionId}`, () => answers.get(questionId), within);

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "worker-state-"));
    kafka = new Kafka({ clientId: "killers-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    await ensureTopics(kafka, [topics.question, topics.answer], 1);
    reader = kafka.consumer({ groupId: `reader-${topics.answer}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.answer, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const answer = JSON.parse(message.value!.toString()) as AnswerMessage;
        answers.set(answer.questionId, answer);
      },
    });
    producer = kafka.producer();
    await producer.connect();
  });

  after(async () => {
    await Promise.allSettled(services.map((service) => service.stop()));
    await reader?.disconnect();
    await producer?.disconnect();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true }); // shared by its restarted workers on purpose: gone once they all stopped
  });

  it("runs it alone after one death, answers it worker_error after two, and then refuses its text asked anew without dying; others are answered", async () => {
    const first = await startWorker();
    // The server's 10 s: given again past it (as after a hang watch's kill, 40 s into a batch), it is answered expired.
    const deadline = await ask("kill-1", "죽어", 10_000);
    await ask("fine-1", "배고파"); // in the batch that dies, or after it: answered either way
    assert.equal(await first.exited, 3, "the first worker died on it");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline + 500 - Date.now())));

    // Past its deadline it is not run, and stays a suspect: asked again, it runs alone, and this worker dies of it too.
    const second = await startWorker();
    assert.equal((await answerTo("kill-1")).error?.code, "expired");
    assert.equal((await answerTo("fine-1")).error, undefined, "the question asked beside it is answered");
    await ask("kill-again", "죽어");
    assert.equal(await second.exited, 3, "the second worker died on it as it came again");

    const third = await startWorker();
    const died = third.exited.then((code) => assert.fail(`the third worker died (${code}) as it came a third time`));
    const refused = await Promise.race([answerTo("kill-again"), died]);
    assert.equal(refused.error?.code, "worker_error", "in flight at two deaths: answered with an error, not run");

    await ask("kill-2", "죽어");
    await ask("fine-2", "배고파");
    assert.equal((await answerTo("kill-2")).error?.code, "worker_error", "the same text under a new id is refused at once");
    const fine = await answerTo("fine-2");
    assert.equal(fine.error, undefined);
    assert.ok(fine.text.length > 0);
    assert.equal(third.service.process.exitCode, null, "the third worker lives");
    assert.match(readFileSync(serviceLog(second.name), "utf8"), /died with questions in flight/);
    const said = readFileSync(serviceLog(third.name), "utf8");
    assert.equal(said.match(/was asked again: answered with an error/g)?.length, 1, "the refusal said once, by its hash");
    assert.ok(!said.includes("죽어"), "the player's words are not in the log");
  });
});
