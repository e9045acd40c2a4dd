/**
 * `npm start`: the world server. With KAFKA_BROKERS unset it is the whole game in one process
 * (rooms + in-process NPC worker, no broker); with KAFKA_BROKERS set it is the server only and
 * NPC workers run separately (`npm run worker`).
 */
import { createLogger } from "../common/log.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import { createKafka } from "../kafka/kafka-client.js";
import { KafkaQuestionChannel } from "../kafka/kafka-transport.js";
import type { QuestionChannel } from "../kafka/npc-transport.js";
import { brainlessAnswers } from "../npc/brainless-answers.js";
import { NpcEngine } from "../npc/engine.js";
import { NpcError } from "../npc/errors.js";
import { NpcWorker } from "../npc/worker.js";
import { ConfigError, loadConfig } from "./config.js";
import { onTerminate } from "./terminate.js";
import { startWorldServer } from "./world-server.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ service: "server", serverId: config.serverId });
  let channel: QuestionChannel;
  let worker: NpcWorker | undefined;
  let modelLoaded: () => boolean | null = () => null;

  if (config.kafka) {
    const kafka = createKafka(config.kafka.brokers, `kobot-server-${config.serverId}`, log);
    channel = new KafkaQuestionChannel(kafka, config.kafka.topics, config.serverId, log);
  } else {
    const bus = new InProcessBus(config.model.maxBatch);
    channel = bus.serverChannel(config.serverId);
    const workerLog = log.child({ service: "npc-worker" });
    try {
      const engine = await NpcEngine.load(config.model.dir, { dtype: config.model.dtype });
      worker = new NpcWorker(engine, bus.workerChannel(), workerLog, {
        maxQuestionAgeMs: config.world.questionTimeoutMs,
        maxBatch: config.model.maxBatch,
      });
      await worker.start();
      modelLoaded = () => true;
    } catch (error) {
      if (!(error instanceof NpcError)) throw error;
      // The game still runs; the NPC answers every question with a fallback line that says why.
      workerLog.error("NPC model not loaded; the NPC will only say fallback lines", { error, code: error.code });
      await bus.workerChannel().start(brainlessAnswers(error));
      modelLoaded = () => false;
    }
  }

  const server = await startWorldServer({ config, channel, log, modelLoaded });
  onTerminate(log, async () => {
    await server.shutdown();
    await worker?.stop();
  });
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `server failed to start: ${(error as Error).stack ?? error}`;
  process.stderr.write(message + "\n");
  process.exit(1);
});
