import type { Consumer, ConsumerRunConfig, Kafka, Producer } from "kafkajs";
import type { Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";
import { workerAnswers } from "../common/metrics.js";
import { addressOf, AnswerMessage, ContractError, errorAnswer, type NpcTopics, parseMessage, QuestionMessage } from "./contract.js";
import { FETCH_WAIT_MS, newProducer, readWhenReachable, stopReading } from "./kafka-client.js";
import type { AnswerQuestions, WorkerChannel } from "./npc-transport.js";
import { AnswerSends } from "./answer-sends.js";
import { assignerSaying } from "./unloaded-folders.js";

/**
 * How long a silent worker keeps its partitions before the group gives them to the others: the broker's shortest
 * (group.min.session.timeout.ms). It is also how long the group waits for its old members after the broker restarts.
 */
export const WORKER_SESSION_TIMEOUT_MS = 6_000;

/**
 * A fetch's bytes a partition at most (kafkajs's default is 1 MiB): a worker answers one slice of a partition's batch a
 * turn and reads the rest again at the next fetch: 64 KiB is 45-220 questions (by their length; 0.3-1.5 KB), still more
 * than a slice, where 1 MiB read 750-3,500 again each turn.
 */
const FETCH_BYTES_PER_PARTITION = 64 * 1024;

/**
 * Worker side over Kafka: one consumer group shared by all workers, so each question is taken by
 * one of them. A batch's offsets are committed only after its answers were produced (at least once):
 * a worker that dies mid-batch leaves its questions to the next one, which answers them again, and
 * the room drops the second answer.
 */
export class KafkaWorkerChannel implements WorkerChannel {
  readonly kind = "kafka";
  /** A flood of junk questions is a log line every 10 s, with how many, not one each. */
  private readonly malformedLogged = logThrottle(10_000);
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  /** The consumer once it runs: its stop also cancels a restart that waits (consumer-restart.ts). */
  private running: { stop(): Promise<void> } | undefined;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: NpcTopics,
    groupId: string,
    private readonly log: Logger,
    /**
     * Questions answered between heartbeats: two of the brain's batches (16 by default), so the next waits while one
     * runs; each batch's answers go out as it ends (AnswerSends).
     */
    private readonly slice = 32,
    /** Model folders this worker could not load, told to the group (unloaded-folders.ts). */
    unloaded: readonly string[] = [],
    /** Before each try to join the group (worker-main.ts: no member of it reads another question topic). */
    private readonly beforeJoining?: () => Promise<void>,
  ) {
    this.producer = newProducer(kafka);
    // A worker that dies keeps its partitions until its session times out: kafkajs's default 30 s outlasted every
    // question's NPC_TIMEOUT_MS (10 s), so nothing it held could be answered in time; 6 s, with heartbeats every 2 s
    // after each slice (a slice is answered in well under a second). After a broker restart answers came back in
    // 10 s with a 10 s session, 6 s with 6 s (bench:broker-restart).
    this.consumer = kafka.consumer({
      groupId, maxWaitTimeInMs: FETCH_WAIT_MS, retry: { retries: 8 }, sessionTimeout: WORKER_SESSION_TIMEOUT_MS, heartbeatInterval: 2_000,
      maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
      partitionAssigners: [assignerSaying(unloaded)],
    });
  }

  /**
   * Connects and starts answering; a broker not up yet is waited for. A new group starts from the oldest question:
   * questions asked before any worker ran are answered.
   */
  async start(answerQuestions: AnswerQuestions): Promise<void> {
    this.running = await readWhenReachable(this.kafka, {
      producer: this.producer,
      consumer: this.consumer,
      topics: [this.topics.question, this.topics.answer],
      read: this.topics.question,
      run: this.questionRun(answerQuestions),
      stopped: () => this.stopping,
      beforeJoining: this.beforeJoining,
    }, this.log);
  }

  private questionRun(answerQuestions: AnswerQuestions): ConsumerRunConfig {
    return {
      autoCommit: true,
      // Committing after every batch would stall the next fetch; offsets resolve only after their
      // answers are produced, so a crash re-answers at most this much (rooms drop the repeats).
      autoCommitInterval: 250,
      eachBatchAutoResolve: false,
      // Partitions are answered side by side, so the brain's micro-batching can merge them.
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        // One slice of the batch, then back to kafkajs, which fetches the rest again from the offset resolved here. A
        // fetch held up to 750-3,500 questions a partition (a backlog after a restart, a burst of rooms): answered whole, with
        // one heartbeat at the end, it outlasted the session, the group dropped this worker and the whole batch was
        // answered again; answered slice by slice in one go, it held every other partition's questions: kafkajs fetches
        // again only once each partition's batch of the last fetch is done, so a room's question waited behind
        // 10,000 questions of another partition 7-10 s, past its deadline. One slice a partition a turn, every
        // partition gets its turn at each fetch; the small fetches (maxBytesPerPartition) keep what is read again small.
        if (!isRunning() || isStale()) return;
        const messages = batch.messages.slice(0, this.slice);
        const { questions, refused } = this.parseQuestions(messages, batch.partition);
        const sends = new AnswerSends((answers) => this.sendAnswers(answers));
        for (const answer of refused) sends.ready(answer);
        await sends.settle(questions.length > 0 ? await answerQuestions(questions, sends.ready) : []);
        resolveOffset(messages.at(-1)!.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    };
  }

  private async sendAnswers(answers: AnswerMessage[]): Promise<void> {
    await this.producer.send({
      // Leader-only ack: an answer lost in a broker failover costs one fallback line, and
      // not waiting for replicas keeps the way back short. Questions wait for all replicas.
      acks: 1,
      topic: this.topics.answer,
      messages: answers.map((answer) => ({ key: answer.roomId, value: JSON.stringify(answer) })),
    });
  }

  /**
   * The slice's questions, and an `invalid_question` answer for each one this worker cannot read but can tell
   * where to answer (a server of another contract version, during a rolling upgrade): its player hears the NPC's
   * fallback line at once instead of waiting out NPC_TIMEOUT_MS.
   */
  private parseQuestions(
    messages: ReadonlyArray<{ offset: string; value: Buffer | null }>,
    partition: number,
  ): { questions: QuestionMessage[]; refused: AnswerMessage[] } {
    const questions: QuestionMessage[] = [];
    const refused: AnswerMessage[] = [];
    for (const message of messages) {
      try {
        questions.push(parseMessage(QuestionMessage, message.value));
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        const address = addressOf(message.value);
        // Counted with the worker's other answers (a rolling upgrade's mismatch showed only in a log line each 10 s).
        workerAnswers.inc({ outcome: address ? "invalid_question" : "unanswerable_question" });
        const held = this.malformedLogged("malformed question");
        if (held !== undefined) {
          this.log.warn("skipped a malformed question", { partition, offset: message.offset, reason: error.message, ...address, ...repeatsField(held) });
        }
        if (address) {
          refused.push(errorAnswer(address, { code: "invalid_question", message: `the worker could not read the question: ${error.message}` }));
        }
      }
    }
    return { questions, refused };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await stopReading(this.running, this.consumer, this.producer);
  }
}
