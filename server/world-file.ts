import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

import { type GenerationSettings, mergeSettings, settingsFromConfig } from "../npc/generation-settings.js";
import type { NpcBrainSpec } from "../npc/npc-cast.js";
import { DEFAULT_NPC, type HearingSettings, type NpcSettings, type WorldSettings } from "../rooms/world-settings.js";

export interface WorldFile {
  npcs: NpcSettings[];
  hearing: HearingSettings;
  brains: NpcBrainSpec[];
}

const finite = z.number().finite();
const line = z.string().trim().min(1).max(200);

const NpcEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,32}$/, "lower-case letters, digits, '_' and '-' only, at most 32"),
  name: z.string().trim().min(1).max(20),
  position: z.strictObject({ x: finite, y: finite, z: finite }),
  talkRadius: z.number().positive().max(1000).default(DEFAULT_NPC.talkRadius),
  greetings: z.array(line).max(100).default([]),
  callReplies: z.array(line).min(1).max(100).default(DEFAULT_NPC.callReplies),
  greetAgainSeconds: z.number().min(0).max(86_400).default(DEFAULT_NPC.greetAgainSeconds),
  idleLines: z.array(line).max(100).default([]),
  idleEverySeconds: z.number().min(0.05).max(86_400).default(DEFAULT_NPC.idleEverySeconds),
  model: z.string().min(1).default("default"),
  knowledge: z.string().min(1).optional(),
  /** With a knowledge file: a question at least this similar to one of its questions gets that line as written. */
  scriptedAbove: z.number().gt(0).max(1).optional(),
  generation: z.record(z.string(), z.union([z.number(), z.boolean()])).optional(),
  /** Answers the model was less sure of than `below` (mean log-probability per token) give way to one of `lines`. */
  unsure: z.strictObject({
    below: z.number().min(-20).max(0),
    /** A stricter bar for answers the model composed rather than copied from a shown pair. */
    composedBelow: z.number().min(-20).max(0).optional(),
    lines: z.array(line).min(1).max(100),
    /** With a knowledge file: before `lines`, its closest line when at least this similar to the question. */
    knowledgeAbove: z.number().gt(0).max(1).optional(),
    /** Words that put an answer out of character (the model's training persona): handled as unsure. */
    outOfCharacter: z.array(z.string().trim().min(1).max(40)).max(100).optional(),
  }).optional(),
});

const WorldFileSchema = z.strictObject({
  hearing: z
    .strictObject({ mode: z.enum(["room", "proximity"]).default("room"), radius: z.number().positive().max(1000).default(15) })
    .default({ mode: "room", radius: 15 }),
  /** Model folders by name, relative to the world file; `default` is MODEL_DIR unless given here. */
  models: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, "letters, digits, '_', '.', '-'"), z.string().min(1)).default({}),
  npcs: z.array(NpcEntry).min(1, "a world needs at least one NPC").max(16),
});

export class WorldFileError extends Error {
  constructor(path: string, problems: string[]) {
    super(`bad world file ${path}:\n  ${problems.join("\n  ")}`);
    this.name = "WorldFileError";
  }
}

/**
 * Reads and checks a world file (JSON, or YAML by its extension): every problem is reported at once,
 * with where it is, before any room opens or any model loads.
 */
export function loadWorldFile(path: string, defaultModelDir: string, bounds: WorldSettings["bounds"]): WorldFile {
  let text: string;
  try {
    // Composed, as players' lines are (common/clean-text.ts): "@코봇" must match a name typed on any system.
    text = readFileSync(path, "utf8").normalize("NFC");
  } catch (error) {
    throw new WorldFileError(path, [(error as Error).message]);
  }
  let raw: unknown;
  try {
    raw = [".yaml", ".yml"].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new WorldFileError(path, [`not valid ${extname(path).slice(1) || "JSON"}: ${(error as Error).message}`]);
  }
  const parsed = WorldFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WorldFileError(path, parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`));
  }
  const file = parsed.data;
  const here = dirname(resolve(path));
  const models: Record<string, string> = { default: defaultModelDir, ...mapValues(file.models, (dir) => resolve(here, dir)) };
  const problems: string[] = [];
  const seen = new Set<string>();
  file.npcs.forEach((npc, i) => {
    const at = `npcs.${i} (${npc.id})`;
    for (const handle of [npc.id, npc.name.toLowerCase()]) {
      if (seen.has(handle)) problems.push(`${at}: "${handle}" is already another NPC's id or name; players address NPCs by both`);
      seen.add(handle);
    }
    const { x, y, z } = npc.position;
    if (x < bounds.minX || x > bounds.maxX || y < bounds.minY || y > bounds.maxY || z < bounds.minZ || z > bounds.maxZ) {
      problems.push(`${at}.position: (${x}, ${y}, ${z}) is outside the world's bounds`);
    }
    if (!(npc.model in models)) problems.push(`${at}.model: "${npc.model}" is not in models (${Object.keys(models).join(", ")})`);
    if (npc.scriptedAbove !== undefined && !npc.knowledge) problems.push(`${at}.scriptedAbove: needs a knowledge file`);
    if (npc.unsure?.knowledgeAbove !== undefined && !npc.knowledge) problems.push(`${at}.unsure.knowledgeAbove: needs a knowledge file`);
    if (npc.knowledge && !existsSync(resolve(here, npc.knowledge))) {
      problems.push(`${at}.knowledge: ${resolve(here, npc.knowledge)} does not exist`);
    }
    if (npc.generation) {
      try {
        mergeSettings(settingsFromConfig({}), npc.generation as Partial<GenerationSettings>);
      } catch (error) {
        problems.push(`${at}.generation: ${(error as Error).message}`);
      }
    }
  });
  if (problems.length) throw new WorldFileError(path, problems);
  return {
    hearing: file.hearing,
    npcs: file.npcs.map(({ id, name, position, talkRadius, greetings, callReplies, greetAgainSeconds, idleLines, idleEverySeconds }) => ({
      id, name, ...position, talkRadius, greetings, callReplies, greetAgainSeconds, idleLines, idleEverySeconds,
    })),
    brains: file.npcs.map((npc) => ({
      npcId: npc.id,
      name: npc.name,
      model: npc.model,
      modelDir: models[npc.model]!,
      ...(npc.knowledge ? { knowledge: resolve(here, npc.knowledge) } : {}),
      ...(npc.scriptedAbove !== undefined ? { scriptedAbove: npc.scriptedAbove } : {}),
      ...(npc.generation ? { generation: npc.generation as Partial<GenerationSettings> } : {}),
      ...(npc.unsure ? { unsure: npc.unsure } : {}),
    })),
  };
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}
