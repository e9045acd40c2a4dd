import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
  LogitsProcessorList,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
  type TextStreamer,
} from "@huggingface/transformers";
import { basename } from "node:path";

import { InvalidQuestionError, ModelLoadError } from "./errors.js";
import { FinishedRowsProcessor } from "./finished-rows.js";
import {
  type GenerationConfigFile,
  type GenerationSettings,
  mergeSettings,
  settingsFromConfig,
  toGenerateKwargs,
} from "./generation-settings.js";
import { checkModelFolder, type ModelDtype, readJson } from "./model-folder.js";
import { normaliseQuestion } from "./question.js";
import { type TokenCallback, TokenStream } from "./token-stream.js";

export interface LoadOptions {
  /** fp32 (default: batched and one-by-one greedy answers are identical) or q8 (int8, smaller). */
  dtype?: ModelDtype;
}

export interface AskOptions {
  settings?: Partial<GenerationSettings>;
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
}

interface ModelConfig {
  npc_model_name?: string;
  n_positions?: number;
  max_position_embeddings?: number;
}

/**
 * The NPC brain: a GPT-2 chatbot in the KoGPT2 prompt format, `<usr>question<sys>answer</s>`,
 * run by onnxruntime-node through transformers.js with a KV cache.
 */
export class NpcEngine {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    readonly defaults: GenerationSettings,
    readonly modelName: string,
    private readonly eosId: number,
    private readonly maxPositions: number,
  ) {}

  static async load(folder: string, options: LoadOptions = {}): Promise<NpcEngine> {
    const dtype = options.dtype ?? "fp32";
    checkModelFolder(folder, dtype);
    // Models come from the folder only: no hub downloads, no copies in a cache.
    env.allowRemoteModels = false;
    env.useFSCache = false;
    const config = readJson<ModelConfig>(folder, "config.json");
    const generationConfig = readJson<GenerationConfigFile & { eos_token_id?: number }>(folder, "generation_config.json");
    const defaults = settingsFromConfig(generationConfig);
    const eosId = generationConfig.eos_token_id;
    if (typeof eosId !== "number") {
      throw new ModelLoadError(folder, `${folder}/generation_config.json has no eos_token_id (the </s> token)`);
    }
    try {
      const tokenizer = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
      const model = await AutoModelForCausalLM.from_pretrained(folder, { dtype, local_files_only: true });
      if (!tokenizer.chat_template) throw new Error("tokenizer_config.json has no chat_template");
      tokenizer.padding_side = "left"; // rows of a batch all end where their answers begin
      const maxPositions = config.n_positions ?? config.max_position_embeddings ?? 1024;
      return new NpcEngine(tokenizer, model, defaults, `${config.npc_model_name ?? basename(folder)}:${dtype}`, eosId, maxPositions);
    } catch (error) {
      throw new ModelLoadError(folder, `cannot load the NPC model from ${folder}: ${(error as Error).message}`, {
        cause: error,
      });
    }
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
    if (!Array.isArray(questions) || questions.length === 0) {
      throw new InvalidQuestionError("empty", "no questions given");
    }
    const settings = mergeSettings(this.defaults, options.settings);
    const texts = questions.map((q) => this.checkQuestion(q, settings));
    const prompts = texts.map((text) => this.prompt(text));
    const started = performance.now();

    const inputs = this.tokenizer(prompts, { padding: true, add_special_tokens: false });
    const promptLength = (inputs.input_ids as Tensor).dims[1]!;
    const processors = new LogitsProcessorList();
    processors.push(new FinishedRowsProcessor(this.eosId, promptLength));
    const streamer = options.onToken
      ? new TokenStream(prompts.length, (ids) => this.decode(ids), this.eosId, options.onToken)
      : undefined;

    const output = (await this.model.generate({
      ...inputs,
      ...toGenerateKwargs(settings),
      logits_processor: processors,
      // generate() is typed for its TextStreamer; any BaseStreamer works.
      streamer: streamer as unknown as TextStreamer | undefined,
    })) as Tensor;
    const ms = performance.now() - started;

    const rows = output.tolist() as bigint[][];
    return rows.map((row, index) => {
      const generated = row.slice(promptLength).map(Number);
      const end = generated.indexOf(this.eosId);
      const answerIds = end === -1 ? generated : generated.slice(0, end);
      return {
        question: texts[index]!,
        text: this.decode(answerIds).replace(/\s+/g, " ").trim(),
        tokens: answerIds.length,
        ms,
        model: this.modelName,
      };
    });
  }

  /**
   * The question as the model will see it (trimmed, special tokens removed), or a clear error:
   * not text, empty, too many characters, or too many tokens to leave room for the answer.
   */
  checkQuestion(question: unknown, settings: GenerationSettings = this.defaults): string {
    const text = normaliseQuestion(this.withoutSpecialTokens(question));
    const tokens = this.encode(this.prompt(text)).length;
    if (tokens + settings.maxNewTokens > this.maxPositions) {
      throw new InvalidQuestionError(
        "too_long",
        `question is ${tokens} tokens; with ${settings.maxNewTokens} for the answer it exceeds the model's ${this.maxPositions}`,
      );
    }
    return text;
  }

  /** Ids of the whole prompt for a question, as generation sees them (for baselines and tests). */
  promptIds(question: string): number[] {
    return this.encode(this.prompt(this.checkQuestion(question)));
  }

  /** Token ids of a text exactly as the model sees it (used by tests against the Python tokenizer). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  private prompt(question: string): string {
    return this.tokenizer.apply_chat_template([{ role: "user", content: question }], {
      tokenize: false,
      add_generation_prompt: true,
    }) as string;
  }

  /** Text of generated ids, special tokens dropped. */
  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }

  /** A player typing "<sys>" must not be able to write the NPC's side of the prompt. */
  private withoutSpecialTokens(question: unknown): unknown {
    if (typeof question !== "string") return question;
    return this.tokenizer.all_special_tokens.reduce((text, token) => text.split(token).join(" "), question);
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
