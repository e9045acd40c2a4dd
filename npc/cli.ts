/**
 * Ask the NPC from a terminal.
 *
 *   npm run ask -- "배고파"
 *   npm run ask -- --file questions.txt --json
 *   npm run ask -- --chat            (talk to the NPC until Ctrl-D)
 */
import { createInterface } from "node:readline/promises";

import { readAuthoredText } from "../common/authored-text.js";
import { argsOr, numberOption } from "../common/cli-args.js";
import { type AskOptions, NpcEngine, type NpcAnswer } from "./engine.js";
import { NpcError } from "./errors.js";
import { type GenerationSettings, mergeSettings, settingsFromConfig } from "./engine/generation-settings.js";
import { type KnowledgePair, readKnowledgeFile } from "./knowledge-index.js";
import { DEFAULT_MODEL_DIR, MODEL_DTYPES, type ModelDtype } from "./engine/model-folder.js";
import type { TokenEvent } from "./engine/token-stream.js";

const USAGE = `usage: npm run ask -- [options] "question" ...
       npm run ask -- --file questions.txt [--json]

  --chat                 talk to the NPC, one line at a time, answers streamed
  --file PATH            one question a line (answers keep the file's order)
  --json                 one JSON line per question: {"question","answer","ms","retrieved","confidence","copied"}
  --stream               print the answer as it is generated
  --model DIR            model folder (default: MODEL_DIR, else npc/model)
  --dtype fp32|q8        q8: int8 prefill and 8-bit decoding steps (default: MODEL_DTYPE, else q8 where the
                         model has both graphs); fp32: all in float32
  --knowledge FILE       the NPC's own knowledge (JSON lines {"q","a"}), searched first
  --min-score N          show retrieved pairs from this similarity up (default: the model's config.json)
  --candidates N         sample N answers and keep the most relevant
  --sample               sample instead of the model's default decoding
  --greedy               greedy decoding
  --temperature N  --top-k N  --top-p N  --repetition-penalty N  --max-new-tokens N`;

function settingsFrom(values: Record<string, string | boolean | undefined>): Partial<GenerationSettings> {
  const settings: Partial<GenerationSettings> = {};
  const number = (name: string): number | undefined => (values[name] === undefined ? undefined : numberOption(values, name));
  if (values.sample) settings.doSample = true;
  if (values.greedy) settings.doSample = false;
  settings.temperature = number("temperature");
  settings.topK = number("top-k");
  settings.topP = number("top-p");
  settings.repetitionPenalty = number("repetition-penalty");
  settings.maxNewTokens = number("max-new-tokens");
  settings.candidates = number("candidates");
  return settings;
}

async function main(): Promise<number> {
  const { values, positionals } = argsOr(USAGE, {
    allowPositionals: true,
    options: {
      chat: { type: "boolean" },
      file: { type: "string" },
      json: { type: "boolean" },
      stream: { type: "boolean" },
      model: { type: "string" },
      dtype: { type: "string" },
      knowledge: { type: "string" },
      "min-score": { type: "string" },
      candidates: { type: "string" },
      sample: { type: "boolean" },
      greedy: { type: "boolean" },
      temperature: { type: "string" },
      "top-k": { type: "string" },
      "top-p": { type: "string" },
      "repetition-penalty": { type: "string" },
      "max-new-tokens": { type: "string" },
    },
  });
  if (values.chat && (values.file || values.json || positionals.length > 0)) {
    throw new Error("--chat reads its questions from the terminal: no questions, --file or --json with it");
  }
  // A byte order mark (Notepad, Excel) is not part of the first question.
  const questions = values.file ? readAuthoredText(values.file).split(/\r?\n/) : positionals;
  // The file's final newline, or blank lines after its last question, are not questions (a blank line between two is
  // answered with an error line, so the answers stay in step with the file's lines).
  while (values.file && questions.length > 0 && questions.at(-1)!.trim() === "") questions.pop();
  if (values.file && questions.length === 0) throw new Error(`no questions in ${values.file}`);
  if (!values.chat && questions.length === 0) {
    console.error(USAGE);
    return 2;
  }
  // Checked before the model loads, as the knowledge file is read: a bad setting or line is reported at once.
  const settings = settingsFrom(values);
  mergeSettings(settingsFromConfig({}), settings);
  const minScore = values["min-score"] === undefined ? undefined : numberOption(values, "min-score", { min: 0, max: 1 });
  // Indexed as the model's retrieval was trained. A file given here that cannot be read is a usage error (exit 2),
  // not the model's (3).
  const knowledgePairs = values.knowledge ? usage(() => readKnowledgeFile(values.knowledge!)) : undefined;
  // The server's variables, so the CLI answers with the model the server would load.
  const model = values.model ?? process.env.MODEL_DIR ?? DEFAULT_MODEL_DIR;
  const dtype = (values.dtype ?? process.env.MODEL_DTYPE) as ModelDtype | undefined;
  if (dtype !== undefined && !MODEL_DTYPES.includes(dtype)) throw new Error(`--dtype (or MODEL_DTYPE) must be ${MODEL_DTYPES.join(" or ")}, got "${dtype}"`);
  const engine = await NpcEngine.load(model, { dtype, retrievalMinScore: minScore });
  if (values.chat) return chat(engine, settings, knowledgePairs);
  const knowledge = knowledgePairs && engine.knowledgeIndex(knowledgePairs);
  let failures = 0;
  for (const question of questions) {
    try {
      const onToken = values.stream && !values.json ? streamed("") : undefined;
      const answer: NpcAnswer = await engine.answer(question, { settings, onToken, knowledge });
      if (values.json) {
        const retrieved = answer.context.map((pair) => pair.a);
        const { confidence, copied = false } = answer;
        console.log(JSON.stringify({ question, answer: answer.text, ms: Math.round(answer.ms * 10) / 10, retrieved, confidence, copied }));
      } else if (onToken) {
        process.stdout.write("\n");
      } else {
        console.log(answer.text);
      }
    } catch (error) {
      if (!(error instanceof NpcError) || error.code === "invalid_settings") throw error;
      failures++;
      if (values.json) console.log(JSON.stringify({ question, error: error.message, code: error.code }));
      else console.error(`error: ${error.message}`);
    }
  }
  await engine.dispose();
  return failures > 0 ? 1 : 0;
}

/** What `read` returns; its error thrown again as the caller's mistake (exit 2), whatever its class. */
function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error((error as Error).message);
  }
}

/**
 * Writes a streamed answer as it grows, after `prefix`; a loop cut back writes the line again, over the old one on a
 * terminal (appended, the loop was printed and then its cut-back text after it).
 */
function streamed(prefix: string): (event: TokenEvent) => void {
  return ({ text, delta, cut }) => {
    if (!cut) process.stdout.write(delta);
    else process.stdout.write(process.stdout.isTTY ? `\r\x1b[2K${prefix}${text}` : `\n${prefix}${text}`);
  };
}

async function chat(engine: NpcEngine, settings: AskOptions["settings"], knowledgePairs?: KnowledgePair[]): Promise<number> {
  const options: AskOptions = { settings, knowledge: knowledgePairs && engine.knowledgeIndex(knowledgePairs) };
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  console.log(`Kobot (${engine.modelName}) is listening. Ctrl-D to leave.`);
  for await (const line of terminal) {
    if (line.trim()) {
      try {
        process.stdout.write("kobot> ");
        const answer = await engine.answer(line, { ...options, onToken: streamed("kobot> ") });
        process.stdout.write(`   (${Math.round(answer.ms)} ms)\n`);
      } catch (error) {
        if (!(error instanceof NpcError)) throw error;
        console.log(`\n(${error.message})`);
      }
    }
  }
  await engine.dispose();
  return 0;
}

// `npm run ask -- --file q.txt --json | head -1`: a reader that has all it wants is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof NpcError && error.code === "model_unavailable" ? 3 : 2);
  },
);
