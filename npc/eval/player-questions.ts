import { createLogger } from "../../common/log.js";
import { type AnswerMessage, CONTRACT_VERSION } from "../../kafka/contract.js";
import type { NpcCast } from "../npc-cast.js";
import { NpcWorker } from "../worker/worker.js";

/**
 * The evals' way to ask: NPCs' questions put to an NPC worker with no transport, as players' question messages, so
 * each is answered as the world server's players are (shorthand, own names, knowledge files, unsure lines).
 */
export function playerQuestions(cast: NpcCast): (asked: { npcId: string; text: string }[]) => Promise<AnswerMessage[]> {
  const worker = new NpcWorker(cast, { kind: "in-process", start: async () => {}, stop: async () => {} }, createLogger({}, "silent"));
  return (asked) =>
    worker.answerAll(asked.map(({ npcId, text }, i) => ({
      v: CONTRACT_VERSION, questionId: `${npcId}-${i}`, roomId: "eval", npcId, playerId: "p", playerName: "민수", text, ts: Date.now(),
    })));
}
