import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where Chatbot_data lies beside the project (../shared); scripts take a --data path defaulting to it. */
export const CHATBOT_DATA = join(import.meta.dirname, "..", "..", "shared", "data", "chatbot_data", "ChatbotData.csv");

export interface ChatbotPair {
  q: string;
  a: string;
  label: string;
}

/** Chatbot_data's rows (Q, A, label) after its header; quoted fields may hold commas ("4년을 만났어도,,"). */
export function readChatbotData(path = CHATBOT_DATA): ChatbotPair[] {
  const pairs: ChatbotPair[] = [];
  for (const line of readFileSync(path, "utf8").split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const [q = "", a = "", label = ""] = [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"|"$/g, "").replaceAll('""', '"'));
    pairs.push({ q, a, label });
  }
  return pairs;
}

/** The training pipeline's split of a question (npc/training/kobot_train/data.py split_of: MD5 of its words). */
export function splitOf(question: string): "train" | "validation" | "test" {
  const digest = createHash("md5").update(question.split(/\s+/).filter(Boolean).join(" "), "utf8").digest();
  const bucket = digest.readUInt16BE(0) % 100;
  return bucket < 80 ? "train" : bucket < 90 ? "validation" : "test";
}
