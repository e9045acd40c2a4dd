import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  register,
} from "prom-client";

/**
 * How often Node's event loop delay is sampled (ms): each sample is the time between two timer ticks, so an idle loop
 * reads about this much; the load test takes it off the figures it reports.
 */
export const LOOP_SAMPLING_MS = 10;

/**
 * Prometheus metrics of every process (server, NPC worker, indexer), on prom-client's default
 * registry. Node's own (event loop lag, heap, GC) come from collectDefaultMetrics.
 */
let defaultsOn = false;
export function collectProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ eventLoopMonitoringPrecision: LOOP_SAMPLING_MS });
}

export const chatLines = new Counter({
  name: "kobot_chat_lines_total",
  help: "Chat lines added to rooms, by kind (player, npc, system)",
  labelNames: ["kind"] as const,
});

export const chatModerated = new Counter({
  name: "kobot_chat_moderated_total",
  help: "Lines moderation stopped (side=input: a player's line) or replaced (side=output: an NPC's answer)",
  labelNames: ["side"] as const,
});
export const playerErrors = new Counter({
  name: "kobot_player_errors_total",
  help: "Errors sent to players, by code (rate_limited, too_far, npc_busy, moderated, bad_message …) and by_address (rate_limited: their address's share of lines)",
  labelNames: ["code", "by_address"] as const,
});

export const connectionsRefused = new Counter({
  name: "kobot_connections_refused_total",
  help: "Connections refused because their client address held CONNECTIONS_PER_ADDRESS already (an attack, or many players behind one carrier's NAT)",
});

export const joinsRefused = new Counter({
  name: "kobot_joins_refused_total",
  help: "Joins refused: reason=sign_in (AUTH_SECRET: no token, or a bad or expired one: a spike is the game's login failing), banned, name (the name refused: too long, not a name's shape, abuse, an NPC's or staff's), name_taken (a player in the room has it, or one like it), or old_client (a game build whose state classes are out of date: a spike after a deploy is players who must update)",
  labelNames: ["reason"] as const,
});

export const npcEventsFired = new Counter({
  name: "kobot_npc_events_total",
  help: "Game events the backend fired through this process's admin API (POST /api/events), by NPC",
  labelNames: ["npc"] as const,
});

export const sanctionsImposed = new Counter({
  name: "kobot_sanctions_total",
  help: "Sanctions this process imposed, by sanction: mute and ban (accounts) and kick (a player out of their room) through its admin API, and mutes by players' reports (REPORTS_TO_MUTE)",
  labelNames: ["sanction"] as const,
});

export const playerReports = new Counter({
  name: "kobot_player_reports_total",
  help: "Players' reports of other players filed for the moderators (GET /api/reports)",
});

export const fileReloads = new Counter({
  name: "kobot_file_reloads_total",
  help: "Edits of the world file or a knowledge file seen while running, by file (world, knowledge) and outcome: taken, refused (failed a check) or needs_restart (world only): a refused edit leaves the game on the old lines",
  labelNames: ["file", "outcome"] as const,
});

/** Per NPC (the world file bounds how many): which characters players talk to, and which are overwhelmed. */
export const npcQuestions = new Counter({
  name: "kobot_npc_questions_total",
  help: "Questions players asked an NPC, by NPC: those sent to its brain, turned away (npc_busy) or refused (moderated_input)",
  labelNames: ["npc"] as const,
});

export const npcAnswers = new Counter({
  name: "kobot_npc_answers_total",
  help: "NPC replies to questions, by NPC and outcome (answer, or the fallback's reason: npc_busy is a queue too short for its crowd; room_closed: the room closed before the answer came; failed: it could not be given)",
  labelNames: ["npc", "outcome"] as const,
});

/** Each room's questions waiting per NPC, as they are now (addNpcQueues). */
type NpcQueues = () => Iterable<{ room: string; npc: string; waiting: number }>;
const npcQueues = new Set<NpcQueues>();

/**
 * A room's NPC queues, read at each scrape until the returned function is called (the room is disposed of): read, not
 * set as questions come and go, so an NPC an edit removed, or a room gone, leaves /metrics at the next scrape.
 */
export function addNpcQueues(queues: NpcQueues): () => void {
  npcQueues.add(queues);
  return () => npcQueues.delete(queues);
}

/** Per room and NPC (rooms live on this process; NPCs from the world file): which NPC is swamped, and where. */
export const npcQuestionsWaiting = new Gauge({
  name: "kobot_npc_questions_waiting",
  help: "Questions waiting in an NPC's queue, not yet with its brain, by room and NPC: at NPC_QUEUE_MAX the NPC turns questions away (npc_busy)",
  labelNames: ["room", "npc"] as const,
  collect() {
    this.reset();
    for (const queues of npcQueues) for (const { room, npc, waiting } of queues()) this.set({ room, npc }, waiting);
  },
});

export const roomFailures = new Counter({
  name: "kobot_room_failures_total",
  help: "Failures a room caught and logged (a timer's, a hook's, an answer's that could not be given), by where: each is a bug to look at",
  labelNames: ["method"] as const,
});

export const npcAnswersIgnored = new Counter({
  name: "kobot_npc_answers_ignored_total",
  help: "Answers no question waited for: repeats (Kafka delivers at least once), ones after the room gave up, unknown ids",
});

export const npcAnswerLatency = new Histogram({
  name: "kobot_npc_answer_latency_seconds",
  help: "From a question entering the room to the NPC's line in it, by NPC: questions sent to its brain, fallbacks included (not those turned away or refused)",
  labelNames: ["npc"] as const,
  buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10],
});

export const workerAnswers = new Counter({
  name: "kobot_npc_worker_answers_total",
  help: "Answers an NPC worker sent, by outcome (answer, or the error code: invalid_question for a question it could not read, a server of another contract version; unanswerable_question for one that did not even say where to answer)",
  labelNames: ["outcome"] as const,
});

/**
 * The embedded worker's questions whose text (per model) killed its thread twice within the hour, answered
 * worker_error at once without asking the thread (npc/worker/brain-killers.ts): each would have cost two more deaths.
 */
export const threadKillersRefused = new Counter({
  name: "kobot_npc_thread_killers_refused_total",
  help: "Questions the embedded NPC worker answered worker_error at once, not asking its thread: their text had killed the thread twice within the hour (for the NPC's model)",
});

/**
 * A Kafka worker's questions whose text (per model) was in flight at two deaths of a worker process within the hour,
 * answered worker_error at once without running the brain (npc/worker/in-flight-record.ts).
 */
export const processKillersRefused = new Counter({
  name: "kobot_npc_process_killers_refused_total",
  help: "Questions a Kafka NPC worker answered worker_error at once, not running its brain: their text had been in flight at two deaths of a worker process within the hour (for the NPC's model)",
});

/**
 * Where each answer's words came from: `scripted` (a knowledge line said as written), `own_line` (one the model
 * began, finished as written), `copied` (a shown pair's answer repeated word for word), `composed` (the model's own
 * words), `knowledge_unsure` and `unsure_line` (the model was unsure: the NPC's closest knowledge line, or one of
 * its unsure lines). Composed answers are the ones most often nonsense (npc/model/EVAL.md).
 */
export const answerSources = new Counter({
  name: "kobot_npc_answer_source_total",
  help: "NPC answers by where their words came from: scripted, own_line, copied, composed, knowledge_unsure, unsure_line",
  labelNames: ["npc", "source"] as const,
});

/**
 * How many questions the brain answered together, batch by batch: bursts should fill batches up to NPC_MAX_BATCH,
 * while a lone question on an idle brain runs at once as a batch of one (npc/worker/answer-queue.ts).
 */
export const npcBatchSize = new Histogram({
  name: "kobot_npc_batch_size",
  help: "Questions an NPC brain answered in one batch",
  labelNames: ["model"] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64],
});

/**
 * Model folders an NPC worker could not load that NPCs of the world speak with: their NPCs get `model_unavailable`
 * from it (a fallback line at once) while its other NPCs answer. A Kafka worker gets there only alone in its group
 * (npc/worker/worker-main.ts): alert on it above 0, and mend the folder (npm run check:world -- --load) or the worker.
 */
export const modelsUnloaded = new Gauge({
  name: "kobot_npc_models_unloaded",
  help: "Model folders this NPC worker could not load that NPCs of the world speak with (they answer model_unavailable from it)",
});

export const modelTokensPerSecond = new Gauge({
  name: "kobot_model_tokens_per_second",
  help: "Tokens the NPC brain generated per second of generation, last batch",
  labelNames: ["model"] as const,
});

export const chatIndexed = new Counter({
  name: "kobot_chat_index_lines_total",
  help: "Chat-log lines the indexer stored in Elasticsearch (indexed), refused for good (refused: to the dead-letter topic) or kept out (erased: their player's erasure came first)",
  labelNames: ["outcome"] as const,
});

export const chatIndexRetries = new Counter({
  name: "kobot_chat_index_retries_total",
  help: "Bulk requests tried again because Elasticsearch was unreachable or overloaded (429, 5xx)",
});

export const chatDeadLetters = new Counter({
  name: "kobot_chat_dead_letters_total",
  help: "Chat-log messages sent to the dead-letter topic (not a chat-log record, or refused by Elasticsearch)",
});

export const chatLogDropped = new Counter({
  name: "kobot_chat_log_dropped_total",
  help: "Chat lines dropped, oldest first, from a chat log's buffer full during a long outage (Kafka mode: the broker; embedded: Elasticsearch): never indexed",
});

export const chatArchiveWaiting = new Gauge({
  name: "kobot_chat_archive_waiting",
  help: "Chat lines the embedded archive (DATA_DIR) failed to write and keeps to write again: above 0 for long, its disk is full or read-only",
});

export const chatIndexWaiting = new Gauge({
  name: "kobot_chat_index_waiting",
  help: "Chat lines the embedded default (ES_URL set) holds for Elasticsearch, not yet indexed: rising, it is down or slow; past 100,000 the oldest are dropped (kobot_chat_log_dropped_total)",
});

/** Summed over the publishers of a process (one in a server; tests start several): each adds its own share. */
export const chatLogKafkaWaiting = new Gauge({
  name: "kobot_chat_log_kafka_waiting",
  help: "Chat lines this server holds for Kafka's chat-log topic, not yet taken by the broker (the send in flight included): rising, the broker is down or slow; past 100,000 the oldest are dropped (kobot_chat_log_dropped_total)",
});

export const chatIndexTemplateFailures = new Counter({
  name: "kobot_chat_index_template_failures_total",
  help: "Tries to install the chat index template that failed with Elasticsearch unreachable or overloaded: nothing is indexed until one succeeds",
});

export const kafkaConsumerLag = new Gauge({
  name: "kobot_kafka_consumer_lag",
  help: "Messages not yet consumed (end offset minus committed offset), by consumer group and topic",
  labelNames: ["group", "topic"] as const,
});

export { register };

/** The series labelled by NPC: which characters players talk to, and which are overwhelmed. */
const PER_NPC: ReadonlyArray<Counter<string> | Histogram<string>> = [npcQuestions, npcAnswers, npcAnswerLatency, npcEventsFired, answerSources];

/**
 * NPCs removed from the world file leave this process's /metrics: a world edited while it runs would otherwise show
 * every NPC it ever had, frozen, until a restart. Prometheus keeps what it scraped before.
 */
export async function forgetNpcs(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const gone = new Set(ids);
  for (const metric of PER_NPC) {
    for (const { labels } of (await metric.get()).values) {
      const { le: _bucket, ...series } = labels; // a histogram's buckets are one series with it
      if (gone.has(String(series.npc))) metric.remove(series);
    }
  }
}

type MetricsSource = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;
const otherThreads = new Set<MetricsSource>();

/** Metrics counted on another thread of this process (the embedded NPC worker), shown in its /metrics. */
export function addMetricsSource(source: MetricsSource): () => void {
  otherThreads.add(source);
  return () => otherThreads.delete(source);
}

/** This process's metrics in Prometheus text format, other threads' added in (same names summed). */
export async function processMetrics(): Promise<string> {
  if (otherThreads.size === 0) return register.metrics();
  const all = await Promise.all([register.getMetricsAsJSON(), ...[...otherThreads].map((source) => source())]);
  return AggregatorRegistry.aggregate(all).metrics();
}
