/**
 * Reads a JSON array of texts on stdin and writes their plain readings (the text the toxicity model reads, as the
 * moderator reads it) as a JSON array: train_toxicity.py trains on exactly what the server scores.
 */
import { normalisedText } from "../toxicity.js";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8")) as string[];
process.stdout.write(JSON.stringify(texts.map(normalisedText)));
