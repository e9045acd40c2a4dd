import type { Kafka } from "kafkajs";

import { implausibleTs, NewerRecordError, parseChatLogRecord } from "../kafka/chat-log.js";
import { ContractError } from "../kafka/contract.js";
import { newProducer } from "../kafka/kafka-client.js";
import { withAdmin } from "../kafka/with-admin.js";

export interface Redrive {
  /** Chat-log records sent back to the chat-log topic (with `dryRun`: that would have been). */
  redriven: number;
  /**
   * Dead letters left where they are, by why: not chat-log records, or records whose time cannot be a chat line's
   * (kafka/chat-log.ts implausibleTs), which no indexer could ever take.
   */
  left: Record<string, number>;
  /**
   * Partitions where a record of a newer server stopped this redrive, by partition, with its fields: it and the letters
   * after it wait, unread, for the redrive of a release that knows them (one from an older release committed past
   * them, and no later redrive saw them again).
   */
  held?: Record<number, string[]>;
}

/** The dead-letter reader of `npm run chatlog:redrive`: each run goes on from where the last one stopped. */
export const REDRIVE_GROUP = "kobot-chat-redrive";

/** Why a record is left: sent back, the indexers would refuse it again, and each redrive would move it once more. */
const NOT_A_CHAT_TIME = "not a chat line's time (before 2024, or more than a day ahead of now)";

/**
 * Sends the dead letters that are chat-log records back to the chat-log topic, for the indexers to try again once
 * the cause is mended: an indexer older than the servers (its strict mapping lacked a field they log), an index made
 * by hand with a wrong mapping, a node that refused a record for good. Reads what the dead-letter topic holds as it
 * starts, from where the last redrive stopped (its consumer group), and commits only what it has sent; an indexer
 * stores a line once however often it comes (its id), so a redrive cut short loses and doubles nothing. The payload
 * goes back as it was written. Letters that are not records stay for a person to look at; a record of a newer server
 * (fields this version does not know) stops its partition there, uncommitted, for a redrive that knows them. `dryRun`
 * counts without sending or committing.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  topics: { log: string; dead: string },
  options: { groupId?: string; dryRun?: boolean } = {},
): Promise<Redrive> {
  const groupId = options.groupId ?? REDRIVE_GROUP;
  const ends = await offsetsToRead(kafka, topics.dead, groupId);
  const result: Redrive = { redriven: 0, left: {} };
  if (ends.size === 0) return result;

  const producer = newProducer(kafka);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic: topics.dead, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, isRunning }) => {
            const end = ends.get(batch.partition);
            if (end === undefined) return; // read to where it stood at the start
            // Only what the topic held at the start: a letter written since waits for the next redrive.
            let messages = batch.messages.filter((message) => BigInt(message.offset) < end);
            const records: Array<{ key: string; value: string }> = [];
            let heldAt: bigint | undefined;
            for (const [at, message] of messages.entries()) {
              const value = message.value?.toString() ?? "";
              try {
                // Every field known, as the indexer reads it: one a newer server wrote waits for this tool's upgrade too.
                const record = parseChatLogRecord(message.value);
                // Sent back, its append time is now: judged by this clock, as the indexer would judge it again.
                if (implausibleTs(record.ts, Date.now()) !== undefined) {
                  result.left[NOT_A_CHAT_TIME] = (result.left[NOT_A_CHAT_TIME] ?? 0) + 1;
                  continue;
                }
                records.push({ key: record.roomId, value });
              } catch (error) {
                if (error instanceof NewerRecordError) {
                  // Not read past: the upgraded redrive starts here.
                  (result.held ??= {})[batch.partition] = error.fields;
                  heldAt = BigInt(message.offset);
                  messages = messages.slice(0, at);
                  break;
                }
                if (!(error instanceof ContractError)) throw error;
                const why = `not a chat-log record: ${error.message}`;
                result.left[why] = (result.left[why] ?? 0) + 1;
              }
            }
            result.redriven += records.length;
            if (!options.dryRun && records.length > 0) await producer.send({ topic: topics.log, messages: records });
            if (!isRunning()) return;
            const last = messages.at(-1);
            if (last) resolveOffset(last.offset);
            const next = heldAt ?? (last ? BigInt(last.offset) + 1n : undefined);
            if (next === undefined) return;
            if (!options.dryRun && last) await consumer.commitOffsets([{ topic: topics.dead, partition: batch.partition, offset: String(next) }]);
            if (heldAt !== undefined || next >= end) ends.delete(batch.partition);
            if (ends.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  }
  return result;
}

/** Partition → the offset the dead-letter topic ends at now, for each partition holding letters the group has not read. */
async function offsetsToRead(kafka: Kafka, topic: string, groupId: string): Promise<Map<number, bigint>> {
  return withAdmin(kafka, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return new Map<number, bigint>();
    const [topicEnds, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), whileLoading(() => admin.fetchOffsets({ groupId, topics: [topic] }))]);
    const readTo = new Map(committed?.partitions.map(({ partition, offset }) => [partition, BigInt(offset)]));
    const ends = new Map<number, bigint>();
    for (const { partition, high, low } of topicEnds) {
      // -1: never read. A committed offset below the first kept (letters since gone with the retention) reads from
      // that first one: counted from the committed, a partition with none left waited for letters that never came.
      const committedTo = readTo.get(partition) ?? -1n;
      const from = committedTo > BigInt(low) ? committedTo : BigInt(low);
      if (from < BigInt(high)) ends.set(partition, BigInt(high));
    }
    return ends;
  });
}

/**
 * Tries again, for up to 10 s, while the broker says the group's coordinator is loading (a broker just started, or
 * its offsets partition just moved): kafkajs's admin does not, and the redrive failed at once.
 */
async function whileLoading<T>(call: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await call();
    } catch (error) {
      if ((error as { type?: string }).type !== "GROUP_LOAD_IN_PROGRESS" || tries >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
