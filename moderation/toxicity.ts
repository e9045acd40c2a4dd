import { readFileSync } from "node:fs";
import { join } from "node:path";

import { createLogger, type Logger } from "../common/log.js";
import { logThrottle, repeatsField } from "../common/log-throttle.js";

export const DEFAULT_TOXICITY_MODEL = join(import.meta.dirname, "toxicity.json");

/**
 * The exported model (moderation/training/train_toxicity.py): a logistic regression over the character n-grams of a
 * text's plain reading (readings.ts, as Moderator#scoredText reads it), each n-gram present counting 1/√(distinct n-grams of the text), so a long
 * comment and a short chat line weigh alike. Only the n-grams with weight were kept.
 */
export interface ToxicityModelFile {
  format: "kobot-toxicity-1";
  ngrams: [number, number];
  bias: number;
  weights: Record<string, number>;
  /** The bar the training run chose on data it did not train on (Chatbot_data validation questions). */
  bar: number;
}

/**
 * The distinct character n-grams (`min`…`max` code points) of a normalised text with a space before and after it,
 * as train_toxicity.py's `ngrams_of` makes them (code points both sides: an emoji is one).
 */
export function ngramsOf(normalised: string, [min, max]: readonly [number, number]): Set<string> {
  const chars = [...` ${normalised} `];
  const grams = new Set<string>();
  for (let n = min; n <= max; n++) for (let i = 0; i + n <= chars.length; i++) grams.add(chars.slice(i, i + n).join(""));
  return grams;
}

/** A learned score in [0, 1] of how likely a line is abuse, for what no listed word catches ("지현우 나쁜놈"). */
export class ToxicityModel {
  private readonly weights: Map<string, number>;
  /** A score that is not a number is said at most every 10 s, not at each line. */
  private readonly failureLogged = logThrottle(10_000);

  constructor(
    private readonly file: ToxicityModelFile,
    private readonly log: Logger = createLogger({ module: "toxicity" }),
  ) {
    const [min, max] = file.ngrams ?? [];
    if (file.format !== "kobot-toxicity-1" || !Number.isInteger(min) || !Number.isInteger(max) || min! < 1 || max! < min!) {
      throw new Error(`not a toxicity model (format "kobot-toxicity-1" with ngrams [min, max]): format ${JSON.stringify(file.format)}`);
    }
    // One weight that is not a finite number ("0.5", {}, 1e999) makes every score NaN or 1: every line refused at a bar,
    // or, without one, a chat log record no consumer takes.
    if (!isFiniteNumber(file.bias) || typeof file.weights !== "object" || file.weights === null) throw new Error("toxicity model without a bias and weights");
    const bad = Object.entries(file.weights).find(([, weight]) => !isFiniteNumber(weight));
    if (bad) throw new Error(`toxicity model weight of ${JSON.stringify(bad[0])} is ${JSON.stringify(bad[1]) ?? String(bad[1])}: every weight must be a finite number`);
    if (!isFiniteNumber(file.bar) || file.bar <= 0 || file.bar > 1) throw new Error(`toxicity model bar ${JSON.stringify(file.bar)}: must be a number above 0 and at most 1`);
    this.weights = new Map(Object.entries(file.weights));
  }

  static fromFile(path = DEFAULT_TOXICITY_MODEL): ToxicityModel {
    try {
      return new ToxicityModel(JSON.parse(readFileSync(path, "utf8")) as ToxicityModelFile);
    } catch (error) {
      throw new Error(`toxicity model ${path}: ${(error as Error).message}`);
    }
  }

  /** The bar its training run chose (≤ 0.5% of Chatbot_data validation questions above it). */
  get suggestedBar(): number {
    return this.file.bar;
  }

  /**
   * The score of a text as the moderator reads it for the score (Moderator#scoredText; the model has no reader of its
   * own, so nothing scores a reading training did not read); undefined, with an error said, where it is not a number:
   * the line is unscored, neither refused nor logged with a score.
   */
  scoreNormalised(normalised: string): number | undefined {
    const grams = ngramsOf(normalised, this.file.ngrams);
    let sum = 0;
    for (const gram of grams) sum += this.weights.get(gram) ?? 0;
    const score = 1 / (1 + Math.exp(-(this.file.bias + sum / Math.sqrt(grams.size))));
    if (Number.isFinite(score)) return score;
    const held = this.failureLogged("nan");
    if (held !== undefined) this.log.error("the toxicity model scored a line as no number: the line is left unscored", { score: String(score), chars: [...normalised].length, ...repeatsField(held) });
    return undefined;
  }
}

const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
