import type { Consumer, ConsumerRunConfig, Kafka, Producer } from "kafkajs";
import type { Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";
import { TimedOut, withTimeout } from "../common/with-timeout.js";
import { firstTryThenInBackground, StoppedTrying, untilReachable } from "../common/until-reachable.js";
import { addressOf, AnswerMessage, ContractError, errorAnswer, type NpcTopics, parseMessage, QuestionMessage, questionKey } from "./contract.js";
import { brokerAnswers, disconnectedOnFailure, ensureTopics, FETCH_WAIT_MS, isKafkaError, newProducer, runConsumer, stopReading } from "./kafka-client.js";
import { type QuestionChannel, QuestionRefused } from "./npc-transport.js";
import { withAdmin } from "./with-admin.js";

/**
 * A question's send still in flight after this long means the broker is gone (one takes milliseconds while it is
 * there): its player hears so then, not when kafkajs's retries end (10-17 s, past NPC_TIMEOUT_MS), and the questions
 * after it are refused while the broker is looked at. If the send gets through after all, its answer comes late and
 * the room ignores it.
 */
const STUCK_SEND_MS = 3_000;

/** The consumer group in which a server reads the answer topic: its own, named after its SERVER_ID. */
export const answerGroupOf = (serverId: string) => `kobot-server-${serverId}`;

/** A server's answer group's session; a crashed server's member leaves the group this long after it died. */
export const SERVER_SESSION_TIMEOUT_MS = 6_000;

export interface KafkaQuestionChannelOptions {
  /** Before each try to join the answer group (main.ts: no other live server reads answers as this SERVER_ID). An error of its own, not Kafka's, ends the tries. */
  beforeJoining?: () => Promise<void>;
  /** Whether no NPC worker has run for a question's whole wait (server/worker-absence.ts): questions are refused then. */
  workersLongGone?: () => boolean;
}

/**
 * Server side over Kafka. Questions are keyed by room and NPC (questionKey). Answers all go to one answer topic,
 * which every server process reads in its own consumer group (named after its stable server id)
 * and keeps only those whose `replyTo` is its id: each answer reaches exactly the process that
 * holds the room, with no per-process topics to create or clean up.
 */
export class KafkaQuestionChannel implements QuestionChannel {
  readonly kind = "kafka";
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  /** The consumer once it runs: its stop also cancels a restart that waits (consumer-restart.ts). */
  private running: { stop(): Promise<void> } | undefined;
  private readonly malformedLogged = logThrottle(10_000);
  /** Whether the channel has connected (sends until then are refused at once). */
  connected = false;
  /** Settles once the channel has connected (or stopped trying), or with the error that ended its tries (a SERVER_ID in use). */
  connection: Promise<void> = Promise.resolve();
  private stopping = false;
  /** A send failed or hung, and the broker has not answered since. */
  private brokerAway = false;

  /** Whether questions go to the broker now: connected, and no send has failed since it last answered. */
  get takingQuestions(): boolean {
    return this.connected && !this.brokerAway;
  }

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: NpcTopics,
    private readonly serverId: string,
    private readonly log: Logger,
    private readonly options: KafkaQuestionChannelOptions = {},
  ) {
    this.producer = newProducer(kafka);
    // The group's only member is this process. Its session is the broker's shortest (6 s, not kafkajs's 30 s): a
    // broker that restarts, or this server restarted under its SERVER_ID, rejoins as a new member and the group
    // waits out the old member's session first; with 30 s no answer reached the rooms for 30 s.
    this.consumer = kafka.consumer({
      groupId: answerGroupOf(serverId), maxWaitTimeInMs: FETCH_WAIT_MS, retry: { retries: 8 }, sessionTimeout: SERVER_SESSION_TIMEOUT_MS, heartbeatInterval: 1_000,
    });
  }

  /**
   * Connects and starts delivering answers. A broker that does not answer the first try does not hold the rooms back:
   * this resolves then, questions are refused at once (their players hear that the NPC cannot be reached) and the
   * tries go on in the background until one gets through (`connection`).
   */
  async start(onAnswer: (answer: AnswerMessage) => void): Promise<void> {
    const { firstTry, reached } = firstTryThenInBackground("kafka", () => this.connect(onAnswer), this.log, {
      retries: isKafkaError,
      stopped: () => this.stopping,
    });
    this.connection = reached.catch((error: unknown) => {
      if (!(error instanceof StoppedTrying)) throw error;
    });
    this.connection.catch(() => {}); // main.ts ends the process on it; start() rejects with it after a first try
    await firstTry;
    if (this.connected) return;
    this.log.warn("rooms are open without Kafka: NPCs tell askers they cannot be reached until it answers");
    void reached.then(() => this.log.info("connected to Kafka: questions go to the NPC workers"), () => {});
  }

  private async connect(onAnswer: (answer: AnswerMessage) => void): Promise<void> {
    await disconnectedOnFailure(async () => {
      await this.options.beforeJoining?.();
      await ensureTopics(this.kafka, [this.topics.question, this.topics.answer]);
      await this.startFromNewest();
      await this.producer.connect();
      this.running = await runConsumer(this.consumer, this.topics.answer, false, this.answerRun(onAnswer), this.log);
    }, this.producer, this.consumer);
    this.connected = true;
  }

  private answerRun(onAnswer: (answer: AnswerMessage) => void): ConsumerRunConfig {
    return {
      // Committed, so that a consumer that rejoins its group (restarted after kafkajs gave up on it, a broker that
      // came back, a coordinator moved) goes on from where it was: without, it began again at the newest answer and
      // skipped those given meanwhile, whose players waited out the timeout.
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachMessage: async ({ message }) => {
        try {
          const answer = parseMessage(AnswerMessage, message.value);
          if (answer.replyTo === this.serverId) onAnswer(answer);
        } catch (error) {
          if (!(error instanceof ContractError)) throw error;
          // Every server reads every answer: a flood of junk (20,000) was a log line each on every server.
          const held = this.malformedLogged("malformed answer");
          if (held !== undefined) {
            this.log.warn("dropped a malformed answer", { topic: this.topics.answer, reason: error.message, ...repeatsField(held) });
          }
          // One addressed here that this server cannot read (a newer worker's, mid-upgrade): its player hears the
          // fallback now, not after the whole timeout, as a worker answers a question it cannot read.
          const address = addressOf(message.value);
          if (address?.replyTo === this.serverId) {
            onAnswer(errorAnswer(address, { code: "invalid_answer", message: `this server could not read the answer: ${error.message}` }));
          }
        }
      },
    };
  }

  /**
   * A server that starts has no rooms waiting for answers: its group goes on from the newest answer of every
   * partition, not from where the process before it under this SERVER_ID stopped (all servers' answers since). Set
   * for every partition, a quiet one included, so that a rejoin later finds each where it was: as the partition's end
   * offset, since kafkajs's resetOffsets saves "latest" (-1), which a rejoin reads as the end *then*, skipping what a
   * quiet partition got meanwhile. Refused while the group has members (main.ts waits out a crashed process's first):
   * then it goes on from where the group was.
   */
  private async startFromNewest(): Promise<void> {
    await withAdmin(this.kafka, async (admin) => {
      try {
        const ends = await admin.fetchTopicOffsets(this.topics.answer);
        const partitions = ends.map(({ partition, high }) => ({ partition, offset: high }));
        await admin.setOffsets({ groupId: answerGroupOf(this.serverId), topic: this.topics.answer, partitions });
      } catch (error) {
        this.log.warn("the answer group's offsets were not set to the newest answers: it goes on from where it was", { error: String(error) });
      }
    });
  }

  /**
   * Refused at once while the channel has not connected, and from when a send failed, or hung STUCK_SEND_MS, until
   * the broker answers again: a send to a broker gone spends kafkajs's retries (10-17 s) before it fails, and every
   * player asking meanwhile waited out the whole NPC_TIMEOUT_MS to hear the fallback.
   */
  async sendQuestion(question: QuestionMessage): Promise<void> {
    if (!this.connected) throw new QuestionRefused("unreachable", "not connected to Kafka yet");
    if (this.brokerAway) throw new QuestionRefused("unreachable", "Kafka is not taking questions; they are refused until it answers again");
    if (this.options.workersLongGone?.()) throw new QuestionRefused("no_worker", "no NPC worker has been in the worker group for a question's whole wait");
    const message = { ...question, replyTo: this.serverId };
    const send = this.producer.send({
      topic: this.topics.question,
      messages: [{ key: questionKey(question), value: JSON.stringify(message) }],
    });
    try {
      await withTimeout(send, STUCK_SEND_MS);
    } catch (error) {
      this.refuseUntilBack();
      if (!(error instanceof TimedOut)) throw error;
      throw new QuestionRefused("unreachable", `Kafka did not take the question in ${STUCK_SEND_MS} ms; questions are refused until it answers again`);
    }
  }

  /** Refuses questions until the broker answers a look at the question topic (tried in the background). */
  private refuseUntilBack(): void {
    if (this.brokerAway) return;
    this.brokerAway = true;
    void untilReachable("kafka", () => brokerAnswers(this.kafka, this.topics.question), this.log, { stopped: () => this.stopping }).then(
      () => {
        this.brokerAway = false;
        this.log.info("Kafka answers again: questions go to the NPC workers");
      },
      () => {}, // stopped
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await stopReading(this.running, this.consumer, this.producer);
  }
}
