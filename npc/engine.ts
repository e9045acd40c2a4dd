import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
} from "@huggingface/transformers";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { InferenceSession } from "onnxruntime-node";

import { MODEL_NAME_MAX } from "../kafka/contract.js";
import { InvalidQuestionError, InvalidSettingsError, ModelLoadError } from "./errors.js";
import { meanLogProbs, modelScoring, type ScoringPass } from "./engine/answer-scorer.js";
import { bestCandidate } from "./engine/best-candidate.js";
import { type DecodedRow, decodeRows } from "./engine/decode-loop.js";
import { withoutLoop } from "./engine/loop-guard.js";
import { isOwnLine } from "./own-lines.js";
import {
  type GenerationConfigFile,
  choosingKey,
  type GenerationSettings,
  mergeSettings,
  settingsFromConfig,
} from "./engine/generation-settings.js";
import { type Prefill } from "./engine/grouped-prefill.js";
import { int8Prefill, int8Scoring } from "./engine/int8-prefill.js";
import { checkModelFolder, INT8_PREFILL_GRAPH, INT8_STEP_GRAPH, type ModelDtype, modelNameIn, STEP_GRAPH } from "./engine/model-folder.js";
import { GRAMS, type GramsMethod, KnowledgeIndex, type KnowledgePair } from "./knowledge-index.js";
import { MAX_QUESTION_CHARS, normaliseQuestion } from "./question.js";
import { oneLine } from "./engine/one-line.js";
import { type RetrievalSettings, retrieveContext } from "./retrieval-context.js";
import { withPrivateCopy } from "./engine/private-copy.js";
import { SESSION_OPTIONS } from "./engine/session-options.js";
import { Spacing } from "./engine/spacing.js";
import { readChatLine } from "./heard-line.js";
import { type TokenCallback, TokenStream } from "./engine/token-stream.js";

export interface LoadOptions {
  /**
   * q8: prompts prefilled in int8 (onnx/model_prefill_int8.onnx), decoding steps with 8-bit weights
   * (onnx/model_step_int8.onnx); the default where the folder has both. fp32: all in float32. Either way no
   * number of a row depends on the rows beside it, so a question gets the same greedy answer alone or in any
   * batch (q8: up to the order a one-row step sums in, which moved confidences by at most 0.006 over 145 questions).
   */
  dtype?: ModelDtype;
  /**
   * Decode with the export's step graph (onnx/model_step.onnx) over a cache kept in place; default true where
   * the folder has one (q8 needs it). False: every step through the full graph (for comparison).
   */
  inPlaceCache?: boolean;
  /** Similarity below which a retrieved pair is not shown, instead of config.json's `npc_retrieval.min_score`. */
  retrievalMinScore?: number;
  /** The model's name in answers and metrics, instead of config.json's `npc_model_name` (NpcCast: two folders of one name). */
  name?: string;
}

export interface AskOptions {
  settings?: Partial<GenerationSettings>;
  /** This NPC's own knowledge, searched before the model's general index (build it with `knowledgeIndex`). */
  knowledge?: KnowledgeIndex;
  /**
   * A batch of several NPCs' questions (`answerChecked`): each question's own knowledge, in place of `knowledge`. The
   * questions of NPCs who know different things batch together, each shown only its own NPC's lines.
   */
  knowledgeOfEach?: ReadonlyArray<KnowledgeIndex | undefined>;
  /**
   * A batch of several NPCs' questions: each question's own settings over `settings` (an NPC's length, temperature,
   * repetition penalty), so NPCs that speak differently still share a batch. All must choose among as many
   * candidates with one relevance weight (AnswerQueue batches by `batchKey`, which keeps lengths alike too).
   */
  settingsOfEach?: ReadonlyArray<Partial<GenerationSettings> | undefined>;
  /** Called as answer text grows, for a "typing" indicator or partial answers. */
  onToken?: TokenCallback;
}

export interface NpcAnswer {
  question: string;
  text: string;
  /** Tokens generated, `</s>` excluded. */
  tokens: number;
  ms: number;
  /** Which model wrote it: its name (config.json `npc_model_name`, else the folder's) and dtype. */
  model: string;
  /** Retrieved pairs the model was shown before the question (a hint, not the answer). */
  context: KnowledgePair[];
  /**
   * Mean log-probability per token of this answer under the model (≤ 0): how sure it was. Answers a
   * person judged sensible mostly score above −0.6, nonsense mostly below (EVAL.md).
   */
  confidence: number;
  /** The answer is one of the NPC's own lines (its knowledge), said whole as written. */
  ownLine?: true;
  /**
   * The answer is one of the shown pairs' answers word for word (taken whole from the hint, not composed).
   * The model is surer of a copy than of its own words, and its own words are more often nonsense (EVAL.md).
   */
  copied?: true;
}

interface ModelConfig {
  npc_model_name?: string;
  npc_retrieval?: { k: number; min_score: number; grams?: string };
  n_positions?: number;
  max_position_embeddings?: number;
}

/** Most rows (questions × candidates) sampled in one run when an NPC chooses among candidates. */
const CANDIDATE_ROWS = 64;

/**
 * The NPC brain: a GPT-2 chatbot in the KoGPT2 prompt format, `<usr>question<sys>answer</s>`,
 * run by onnxruntime-node through transformers.js with a KV cache.
 */
export class NpcEngine {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    /** The full graph in fp32: decoding's where the export has no step graph or fp32 is asked for; not loaded for q8. */
    private readonly model: PreTrainedModel | undefined,
    /** What scores whole answers (a loop cut back, candidates): the graphs that decode them. */
    private readonly scoring: ScoringPass,
    readonly defaults: GenerationSettings,
    readonly modelName: string,
    private readonly eosId: number,
    private readonly maxPositions: number,
    readonly retrieval: RetrievalSettings & { grams: GramsMethod },
    /** Pairs the model was trained to be shown (knowledge.jsonl in the model folder), if any. */
    readonly generalKnowledge: KnowledgeIndex | undefined,
    /** Spaces for a line typed without any (spaced-pairs.txt), where the model folder has them. */
    private readonly spacing: Spacing | undefined,
    private readonly padId: number,
    /** The export's step graph (model_step.onnx), when decoding keeps the cache in place. */
    private readonly stepSession: InferenceSession | undefined,
    /** The prompts' forward pass when it is not the full graph's (q8), and the session it runs. */
    private readonly prefill?: { run: Prefill; session: InferenceSession },
  ) {
    this.emptyPromptIds = this.encode(this.prompt(""));
  }

  /** `<usr><sys>`: the prompt that scores how likely an answer is whatever the question. */
  private readonly emptyPromptIds: number[];

  static async load(modelFolder: string, options: LoadOptions = {}): Promise<NpcEngine> {
    // Absolute, or transformers.js reads a relative "npc/model" as a Hugging Face model id.
    const folder = resolve(modelFolder);
    const stepFile = join(folder, STEP_GRAPH);
    const inPlace = options.inPlaceCache !== false && existsSync(stepFile);
    // int8 where the export has its graphs: the same quality, faster (docs/npc-brain.md).
    const int8 = [INT8_PREFILL_GRAPH, INT8_STEP_GRAPH].every((file) => existsSync(join(folder, file)));
    const dtype = options.dtype ?? (inPlace && int8 ? "q8" : "fp32");
    const { config, generationConfig } = checkModelFolder<ModelConfig, GenerationConfigFile & { eos_token_id?: number; pad_token_id?: number }>(folder, dtype);
    if (dtype === "q8" && options.inPlaceCache === false) {
      throw new InvalidSettingsError("q8 decodes with the step graph: it cannot be used with inPlaceCache false");
    }
    // Models come from the folder only: no hub downloads, no copies in a cache.
    env.allowRemoteModels = false;
    env.useFSCache = false;
    // A bad value there is the model folder's mistake, not the caller's (a CLI exits 3 for it, not 2).
    let defaults: GenerationSettings;
    try {
      defaults = settingsFromConfig(generationConfig);
    } catch (error) {
      if (!(error instanceof InvalidSettingsError)) throw error;
      throw new ModelLoadError(folder, `${folder}/generation_config.json: ${error.message}`);
    }
    const eosId = generationConfig.eos_token_id;
    if (typeof eosId !== "number") {
      throw new ModelLoadError(folder, `${folder}/generation_config.json has no eos_token_id (the </s> token)`);
    }
    const grams = config.npc_retrieval?.grams ?? "bigrams"; // exports that name no method were trained with it
    if (!Object.hasOwn(GRAMS, grams)) {
      throw new ModelLoadError(folder, `${folder}/config.json: npc_retrieval.grams "${grams}" is not one of ${Object.keys(GRAMS).join(", ")}`);
    }
    const inRange = (score: number) => typeof score === "number" && score >= 0 && score <= 1;
    // A caller's bad bar is the caller's mistake; a bad bar in config.json is the model folder's.
    if (options.retrievalMinScore !== undefined && !inRange(options.retrievalMinScore)) {
      throw new InvalidSettingsError(`retrieval min score must be from 0 to 1, got ${options.retrievalMinScore}`);
    }
    const minScore = options.retrievalMinScore ?? config.npc_retrieval?.min_score ?? 0;
    if (!inRange(minScore)) throw new ModelLoadError(folder, `${folder}/config.json: npc_retrieval.min_score must be from 0 to 1, got ${minScore}`);
    const k = config.npc_retrieval?.k ?? 0;
    // "2" passed `> 0` and never equalled a count of pairs: the general index filled past it.
    if (!Number.isInteger(k) || k < 0) throw new ModelLoadError(folder, `${folder}/config.json: npc_retrieval.k must be a whole number ≥ 0, got ${JSON.stringify(k)}`);
    const name = `${options.name ?? modelNameIn(folder, config)}:${dtype}`;
    // Every answer carries it: one over the contract's cap was refused by the Kafka side and the chat log, every time.
    if (name.length > MODEL_NAME_MAX) {
      const from = options.name ? "the model's name" : config.npc_model_name ? `${folder}/config.json's npc_model_name` : `the folder's name (config.json has no npc_model_name)`;
      throw new ModelLoadError(folder, `${from} must be at most ${MODEL_NAME_MAX - dtype.length - 1} characters (answers carry it with ":${dtype}"), got ${name.length - dtype.length - 1}`);
    }
    const retrieval = { k, minScore, grams: grams as GramsMethod };
    const general = retrieval.k > 0 ? KnowledgeIndex.fromFile(join(folder, "knowledge.jsonl"), GRAMS[retrieval.grams]) : undefined;
    try {
      // From a private copy, which onnxruntime maps (private-copy.ts): a folder copied over while it ran ended the process.
      return await withPrivateCopy(folder, async (copy) => {
        const tokenizer = await AutoTokenizer.from_pretrained(copy, { local_files_only: true });
        // The full graph only where it decodes: q8 prefills, steps and scores with its int8 graphs (~50 MB less a folder).
        const model = dtype === "q8" ? undefined : await AutoModelForCausalLM.from_pretrained(copy, { dtype: "fp32", local_files_only: true, session_options: SESSION_OPTIONS });
        if (!tokenizer.chat_template) throw new Error("tokenizer_config.json has no chat_template");
        tokenizer.padding_side = "left"; // rows of a batch all end where their answers begin
        const maxPositions = config.n_positions ?? config.max_position_embeddings ?? 1024;
        const padId = generationConfig.pad_token_id ?? eosId;
        const stepSession = inPlace
          ? await InferenceSession.create(join(copy, dtype === "q8" ? INT8_STEP_GRAPH : STEP_GRAPH), SESSION_OPTIONS)
          : undefined;
        let prefill: { run: Prefill; session: InferenceSession } | undefined;
        let scoring = model && modelScoring(model);
        if (dtype === "q8") {
          const session = await InferenceSession.create(join(copy, INT8_PREFILL_GRAPH), SESSION_OPTIONS);
          prefill = { run: int8Prefill(session), session };
          scoring = int8Scoring(session);
        }
        if (!scoring) throw new Error(`no graph to score answers with (dtype ${dtype})`);
        return new NpcEngine(tokenizer, model, scoring, defaults, name, eosId, maxPositions, retrieval, general, Spacing.load(folder), padId, stepSession, prefill);
      });
    } catch (error) {
      throw new ModelLoadError(folder, `cannot load the NPC model from ${folder}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * `load`, then `warmUp`: a folder whose files load but whose model fails its first answers (a tokenizer.json of
   * another export: token ids past the embedding table) fails here, as a ModelLoadError of its folder.
   */
  static async loadWarm(modelFolder: string, options: LoadOptions, batch: number): Promise<NpcEngine> {
    const engine = await NpcEngine.load(modelFolder, options);
    try {
      await engine.warmUp(batch);
      return engine;
    } catch (error) {
      await engine.dispose();
      const folder = resolve(modelFolder);
      throw new ModelLoadError(folder, `the NPC model in ${folder} loaded but failed its first answers: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Answers `batch` questions of its own knowledge, first one alone and then twice as one batch, before
   * any player asks: in a fresh process the first two batches of 16 took 135–150 and 105–123 ms, against
   * 83–90 once warm (JIT, onnxruntime's first runs at new shapes). The questions vary in length as players'
   * do; a model without knowledge is warmed on one line.
   */
  async warmUp(batch: number): Promise<void> {
    const pairs = this.generalKnowledge?.pairs ?? [];
    const step = Math.max(1, Math.floor(pairs.length / batch));
    const questions = pairs.length > 0
      ? Array.from({ length: Math.min(batch, pairs.length) }, (_, i) => pairs[i * step]!.q)
      : new Array<string>(batch).fill("안녕하세요");
    await this.answer(questions[0]);
    for (let round = 0; round < 2; round++) await this.answerBatch(questions);
  }

  /** Answers one question. */
  async answer(question: unknown, options: AskOptions = {}): Promise<NpcAnswer> {
    const [answer] = await this.answerBatch([question], options);
    return answer!;
  }

  /**
   * Answers several questions as one batch (one prefill, one decode loop); answers come back in order.
   * `onToken` events carry the index of the question they belong to.
   */
  async answerBatch(questions: unknown[], options: AskOptions = {}): Promise<NpcAnswer[]> {
    const started = performance.now(); // latency includes retrieval and tokenizing, as a player waits for them
    if (!Array.isArray(questions) || questions.length === 0) {
      throw new InvalidQuestionError("empty", "no questions given");
    }
    // Each against its own settings: one that fits 32 tokens of answer can overrun the model's positions with 96.
    const settingsOf = this.settingsOfEach(questions.length, options);
    return this.answerChecked(questions.map((q, i) => this.checkQuestion(q, settingsOf[i]!)), options, started);
  }

  /**
   * Answers questions as `checkQuestion` returned them, as one batch, without checking or reading them again:
   * reading a line cut to fit (`fit`) again could make it longer than the room it was cut to, and fail the batch.
   */
  async answerChecked(texts: string[], options: AskOptions = {}, started = performance.now()): Promise<NpcAnswer[]> {
    const settings = mergeSettings(this.defaults, options.settings);
    const settingsOf = this.settingsOfEach(texts.length, options);
    if (new Set(settingsOf.map(choosingKey)).size > 1) {
      throw new InvalidSettingsError("a batch's questions must choose among as many candidates, with one relevance weight");
    }
    const knowledgeOf = (index: number) => (options.knowledgeOfEach ? options.knowledgeOfEach[index] : options.knowledge);
    const contexts = texts.map((text, i) => this.contextFor(text, settingsOf[i]!, knowledgeOf(i)));
    const prompts = texts.map((text, i) => this.prompt(text, contexts[i]));
    // The NPC's own lines among the pairs shown: once begun, said as written (own-lines.ts). As the prompt shows them:
    // a line of a knowledge file with "</s>" in it was ended there when said as written.
    const ownLines = contexts.map((context, i) => {
      const own = knowledgeOf(i);
      return own ? context.filter((pair) => own.pairs.includes(pair)).map((pair) => this.encode(this.withoutSpecialTokens(pair.a))) : [];
    });

    const choosing = (settingsOf[0] ?? settings).candidates > 1; // the batch's (checked above), whatever `settings` says
    const chosen = choosing
      ? await this.chooseAmongCandidates(prompts, settingsOf, ownLines)
      : await this.generateIds(prompts, settingsOf, ownLines, options.onToken);
    const ms = performance.now() - started;
    return chosen.map(({ ids, meanLogProb }, index) => {
      const text = oneLine(this.decode(ids));
      if (choosing) options.onToken?.({ index, text, delta: text });
      const confidence = Math.round(meanLogProb * 1000) / 1000;
      const ownLine = isOwnLine(ids, ownLines[index]!);
      const copied = contexts[index]!.some((pair) => oneLine(this.withoutSpecialTokens(pair.a)) === text);
      return {
        question: texts[index]!, text, tokens: ids.length, ms, model: this.modelName, context: contexts[index]!, confidence,
        ...(ownLine ? { ownLine } : {}),
        ...(copied ? { copied } : {}),
      };
    });
  }

  /** Each of `count` questions' settings: `settingsOfEach`'s over `settings` over the model's defaults. */
  private settingsOfEach(count: number, options: AskOptions): GenerationSettings[] {
    const settings = mergeSettings(this.defaults, options.settings);
    return Array.from({ length: count }, (_, i) => (options.settingsOfEach?.[i] ? mergeSettings(settings, options.settingsOfEach[i]) : settings));
  }

  /** All prompts decoded as one batch, each by its settings; each row's answer (`</s>` excluded, a final loop cut back) and confidence. */
  private async generateIds(
    prompts: string[],
    settings: readonly GenerationSettings[],
    ownLines: number[][][],
    onToken?: TokenCallback,
  ): Promise<DecodedRow[]> {
    const inputs = this.tokenizer(prompts, { padding: true, add_special_tokens: false });
    const stream = onToken ? new TokenStream(prompts.length, (ids) => this.decode(ids), this.eosId, onToken, ownLines) : undefined;
    const answers = await decodeRows(
      this.model,
      inputs.input_ids as Tensor,
      inputs.attention_mask as Tensor,
      settings,
      this.eosId,
      {
        ...(stream ? { onStep: (row, id) => stream.push(row, id) } : {}),
        ...(this.prefill ? { prefill: this.prefill.run } : {}),
        stepSession: this.stepSession,
        ownLines,
      },
    );
    const said = answers.map(({ ids, meanLogProb }, row) => ({ ids: isOwnLine(ids, ownLines[row]!) ? ids : withoutLoop(ids), meanLogProb }));
    // A loop cut back is judged on what is said, as an answer that ends there (its `</s>` after it): the mean over the
    // loop, repeats the model was sure of, gave fragments ("차근", −0.29; −3.14 said so) the confidence to pass a bar.
    const cut = said.flatMap(({ ids }, row) => (ids.length < answers[row]!.ids.length ? [row] : []));
    if (cut.length > 0) {
      const rescored = await meanLogProbs(this.scoring, cut.map((row) => ({ prompt: this.encode(prompts[row]!), answer: [...said[row]!.ids, this.eosId] })), this.padId);
      cut.forEach((row, i) => (said[row]!.meanLogProb = rescored[i]!));
    }
    return said;
  }

  /**
   * Samples `candidates` answers per question in one batch and keeps, for each question, the most likely
   * one: mean log p(answer | prompt), as decoding saw it, minus `relevanceWeight` × mean log p(answer |
   * empty question) (that second pass only when the weight is not 0; it favours specific answers).
   */
  private async chooseAmongCandidates(prompts: string[], settingsOf: readonly GenerationSettings[], ownLines: number[][][]): Promise<DecodedRow[]> {
    const settings = settingsOf[0]!; // candidates and relevance weight are the batch's (answerChecked checks)
    // 16 candidates for each of a batch's 16 questions are 256 rows: a cache of ~270 MB, and the relevance pass's
    // logits (8,000 floats for each answer position) more. Taken so many questions at a time, the rows stay at most CANDIDATE_ROWS.
    const perRun = Math.max(1, Math.floor(CANDIDATE_ROWS / settings.candidates));
    if (prompts.length > perRun) {
      const chosen: DecodedRow[] = [];
      for (let at = 0; at < prompts.length; at += perRun) {
        const end = at + perRun;
        chosen.push(...(await this.chooseAmongCandidates(prompts.slice(at, end), settingsOf.slice(at, end), ownLines.slice(at, end))));
      }
      return chosen;
    }
    const n = settings.candidates;
    const times = <T>(list: readonly T[]) => list.flatMap((item) => new Array<T>(n).fill(item));
    const sampled = await this.generateIds(times(prompts), times(settingsOf.map((s) => ({ ...s, doSample: true }))), times(ownLines));
    const generic = settings.relevanceWeight > 0
      ? await meanLogProbs(this.scoring, sampled.map(({ ids }) => ({ prompt: this.emptyPromptIds, answer: [...ids, this.eosId] })), this.padId)
      : undefined;
    return prompts.map((_, question) => {
      const [from, to] = [question * n, (question + 1) * n];
      return bestCandidate(sampled.slice(from, to), settings.relevanceWeight, generic?.slice(from, to));
    });
  }

  /**
   * A chat line as the model and retrieval read it: cleaned (clean-text.ts: a question from any producer may come
   * as separate jamo), shorthand spelled out, laughing, crying and the line's end dropped (chat-line.ts), and
   * spaces put back in a line typed without any (spacing.ts).
   */
  readLine(line: string): string {
    return readChatLine(line, this.spacing);
  }

  /**
   * The question as the model will see it (trimmed, special tokens removed, read as a chat line: `readLine`), or a
   * clear error: not text, empty, too many characters, or too many tokens to leave room for the answer. `fit`: a
   * line of too many tokens (200 characters of English or emoji can be 150–160) is cut to its end that fits
   * instead, as the NPC worker asks: a player's legal line gets an answer, not an error. `heard`: the question is a
   * line read already (`readLine`; an NPC's `hear`).
   */
  checkQuestion(question: unknown, settings: GenerationSettings = this.defaults, { fit = false, heard = false } = {}): string {
    // A line heard already (readLine, NpcBrain.hear) is not read again, nor held to the characters its raw line met:
    // spaces put back in a line typed without any make it longer.
    const plain = normaliseQuestion(this.withoutSpecialTokens(question), heard ? Infinity : MAX_QUESTION_CHARS);
    // Reading only takes characters out, which can join a special token again ("<sy\u200bs>", "<syㅋs>"): out again.
    const read = heard ? plain : this.readLine(plain);
    const stripped = this.withoutSpecialTokens(read);
    let text = stripped === read ? read : normaliseQuestion(stripped, Infinity);
    const room = this.maxPositions - settings.maxNewTokens;
    const tokensOf = (line: string) => this.encode(this.prompt(line)).length;
    let tokens = tokensOf(text);
    if (fit && tokens > room) {
      text = endThatFits(text, (line) => tokensOf(line) <= room);
      tokens = tokensOf(text);
    }
    if (tokens > room) {
      throw new InvalidQuestionError(
        "too_long",
        `question is ${tokens} tokens; with ${settings.maxNewTokens} for the answer it exceeds the model's ${this.maxPositions}`,
      );
    }
    return text;
  }

  /** Ids of the whole prompt for a question, as generation sees them (for baselines and tests). */
  promptIds(question: string): number[] {
    const text = this.checkQuestion(question);
    return this.encode(this.prompt(text, this.contextFor(text, this.defaults)));
  }

  /** Token ids of a text exactly as the model sees it (used by tests against the Python tokenizer). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  /** An NPC's own knowledge, indexed the way this model's retrieval was trained. */
  knowledgeIndex(pairs: readonly KnowledgePair[]): KnowledgeIndex {
    return new KnowledgeIndex(pairs, GRAMS[this.retrieval.grams], { weightsFrom: this.generalKnowledge, answers: true });
  }

  /** Retrieved pairs for a question, fewer when the context window cannot hold them with the answer. */
  private contextFor(question: string, settings: GenerationSettings, own?: KnowledgeIndex): KnowledgePair[] {
    const context = retrieveContext(question, this.retrieval, own, this.generalKnowledge);
    while (context.length > 0 && this.encode(this.prompt(question, context)).length + settings.maxNewTokens > this.maxPositions) {
      context.shift(); // the least similar goes first
    }
    return context;
  }

  private prompt(question: string, context: KnowledgePair[] = []): string {
    // A knowledge file is text too: a "<sys>" in it must not become the prompt's own token.
    const turns = context.flatMap(({ q, a }) => [
      { role: "user", content: this.withoutSpecialTokens(q) },
      { role: "assistant", content: this.withoutSpecialTokens(a) },
    ]);
    return this.tokenizer.apply_chat_template([...turns, { role: "user", content: question }], {
      tokenize: false,
      add_generation_prompt: true,
    }) as string;
  }

  /**
   * Text of generated ids, special tokens dropped, and bytes that make no character: a byte-level model may end, or be
   * cut off, inside a syllable, or write bytes no UTF-8 text has, which decode as "�" (2 of 2,000 answers).
   */
  decode(ids: number[]): string {
    // The model may end an answer before saying anything; transformers.js refuses to decode no ids.
    return ids.length === 0 ? "" : this.tokenizer.decode(ids, { skip_special_tokens: true }).replaceAll("\ufffd", "");
  }

  /** A player typing "<sys>" must not be able to write the NPC's side of the prompt. */
  private withoutSpecialTokens<T>(text: T): T {
    if (typeof text !== "string") return text;
    return this.tokenizer.all_special_tokens.reduce((line: string, token: string) => line.split(token).join(" "), text) as T;
  }

  /** Whether decoding keeps the cache in place (the export's step graph), for benchmarks and tests. */
  get decodesInPlace(): boolean {
    return this.stepSession !== undefined;
  }

  async dispose(): Promise<void> {
    await this.model?.dispose();
    await this.stepSession?.release();
    await this.prefill?.session.release();
  }
}

/** The longest end of `text` that `fits` (a Korean line's point, its predicate, comes last), from a word's start where one is near. */
function endThatFits(text: string, fits: (line: string) => boolean): string {
  const chars = [...text];
  let [shortest, longest] = [1, chars.length];
  while (shortest < longest) {
    const kept = Math.ceil((shortest + longest) / 2);
    if (fits(chars.slice(-kept).join(""))) shortest = kept;
    else longest = kept - 1;
  }
  const end = chars.slice(-shortest).join("");
  const space = end.indexOf(" ");
  return space >= 0 && space < end.length / 4 ? end.slice(space + 1) : end; // at 0: no line begins with a space
}
