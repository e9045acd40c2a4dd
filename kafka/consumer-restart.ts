import type { Consumer, ConsumerCrashEvent, ConsumerRunConfig } from "kafkajs";

import type { Logger } from "../common/log.js";

/** How long after kafkajs gives up on a consumer it is started again (and between tries while the broker is away). */
export const RESTART_AFTER_MS = 2_000;

/**
 * Starts a consumer again when kafkajs gives up on it. kafkajs restarts a crashed consumer only after an error it deems
 * retriable: a broker that went down while the group rebalanced crashed the server's answer consumer with "Failed to
 * find group coordinator", which is not, and it stayed stopped for good, so every later question timed out (one CI run
 * of the broker-restart test). Returns the consumer's stop, which also cancels a restart that is waiting.
 */
export function restartWhenGivenUp(consumer: Consumer, run: ConsumerRunConfig, log: Logger, afterMs = RESTART_AFTER_MS): { stop(): Promise<void>; forget(): void } {
  let stopped = false;
  let waiting: NodeJS.Timeout | undefined;
  const later = () => {
    clearTimeout(waiting);
    waiting = setTimeout(() => void restart(), afterMs);
  };
  const restart = async () => {
    if (stopped) return;
    try {
      await consumer.connect();
      if (stopped) return void (await consumer.disconnect()); // stopped while it connected
      await consumer.run(run); // a broker still away crashes it again, and the listener below comes back here
    } catch (error) {
      log.warn("could not start a Kafka consumer again; trying again", { error: String(error), inMs: afterMs });
      if (!stopped) later();
    }
  };
  const stopListening = consumer.on(consumer.events.CRASH, ({ payload }: ConsumerCrashEvent) => {
    if (payload.restart || stopped) return;
    log.error("kafkajs gave up on a consumer: starting it again", { groupId: payload.groupId, error: payload.error.message, inMs: afterMs });
    later();
  });
  const forget = () => {
    stopped = true;
    clearTimeout(waiting);
    stopListening();
  };
  return {
    async stop() {
      forget();
      await consumer.disconnect();
    },
    /** No longer restarts it, and leaves it as it is: a start that failed, to be tried anew, added a restarter a try. */
    forget,
  };
}
