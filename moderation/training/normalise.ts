/**
 * Reads a JSON array of texts on stdin and writes, as a JSON array, the text the toxicity model reads of each: the
 * moderator's own scoredText, with the shipped word list, so train_toxicity.py trains on exactly what the server scores.
 */
import { Moderator } from "../moderator.js";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8")) as string[];
const moderator = Moderator.fromFile(undefined, 0);
process.stdout.write(JSON.stringify(texts.map((text) => moderator.scoredText(text))));
