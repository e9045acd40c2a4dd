import { readFileSync } from "node:fs";
import { join } from "node:path";

import { readings } from "./readings.js";

export const DEFAULT_TOXICITY_MODEL = join(import.meta.dirname, "toxicity.json");

/**
 * The exported model (moderation/training/train_toxicity.py): a logistic regression over the character n-grams of a
 * text's plain reading (readings.ts), each n-gram present counting 1/√(distinct n-grams of the text), so a long
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

/** The plain reading the model reads: what the moderator reads first (lower case, folded, symbols in words dropped). */
export const normalisedText = (text: string): string => readings(text)[0]!.text;

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

  constructor(private readonly file: ToxicityModelFile) {
    const [min, max] = file.ngrams ?? [];
    if (file.format !== "kobot-toxicity-1" || !Number.isInteger(min) || !Number.isInteger(max) || min! < 1 || max! < min!) {
      throw new Error(`not a toxicity model (format "kobot-toxicity-1" with ngrams [min, max]): format ${JSON.stringify(file.format)}`);
    }
    if (!Number.isFinite(file.bias) || typeof file.weights !== "object" || file.weights === null) throw new Error("toxicity model without a bias and weights");
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

  /** The score of a text already read plainly (normalisedText; the moderator has it from its readings). */
  scoreNormalised(normalised: string): number {
    const grams = ngramsOf(normalised, this.file.ngrams);
    let sum = 0;
    for (const gram of grams) sum += this.weights.get(gram) ?? 0;
    return 1 / (1 + Math.exp(-(this.file.bias + sum / Math.sqrt(grams.size))));
  }

  score(text: string): number {
    return this.scoreNormalised(normalisedText(text));
  }
}
