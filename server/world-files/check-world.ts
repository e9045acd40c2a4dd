/**
 * Checks a world file as a server's start does, without starting one: for a studio's content pipeline (a pre-commit
 * hook, a CI step) and for an edit about to be saved over the file servers run.
 *   npm run check:world -- [world file] [--live <the file as servers run it now>] [--load]
 * --load: also loads each model folder as a worker does (a second or two each): a weights file cut short passes the
 * start's check of the files, and leaves its NPCs without a brain.
 * Exit 0: good (and, with --live, taken by running servers and workers); 1: problems, each with where it is;
 * 2: good, but what it changes from --live needs a restart of the servers and workers (server/world-files/world-changes.ts).
 * MODEL_DIR and MODERATION_WORDS are read as the server reads them.
 */
import { argsOr } from "../../common/cli-args.js";
import { ConfigError, DEFAULT_WORLD_FILE, loadNpcsConfig } from "../config.js";
import { changesNeedingRestart } from "./world-changes.js";
import { loadWorldFile, type WorldFile, WorldFileError } from "./world-file.js";
import { checkModelFolder, type ModelDtype } from "../../npc/engine/model-folder.js";

const USAGE = "usage: npm run check:world -- [world file] [--live <the file as servers run it now>] [--load]";
const { values, positionals } = argsOr(USAGE, { options: { live: { type: "string" }, load: { type: "boolean" } }, allowPositionals: true });
// Empty, or spaces alone, is unset, as the server reads it (config.ts); else as written ("village.yaml " is no file there).
const named = process.env.WORLD_FILE?.trim() ? process.env.WORLD_FILE : undefined;
const fromEnv = named === "off" ? undefined : named;
const path = positionals[0] ?? fromEnv ?? DEFAULT_WORLD_FILE;

try {
  const config = loadNpcsConfig({ ...process.env, WORLD_FILE: "off" });
  const read = (file: string): WorldFile => loadWorldFile(file, config.model.dir, config.world.bounds, config.moderator, config.model.dtype);
  const world = read(path);
  defaultModelProblem(world, config.model.dir, config.model.dtype);
  const npcs = world.npcs.map((npc) => `${npc.name} (${npc.id}${npc.route ? ", walks" : ""})`).join(", ");
  const hearing = world.hearing.mode === "room" ? "room" : `within ${world.hearing.radius} m`;
  const sight = world.sight.radius > 0 ? `within ${world.sight.radius} m` : "everyone";
  if (values.load) await loadModels(world, config.model.dtype);
  console.log(`${path}: good. ${world.npcs.length} NPCs: ${npcs}; hearing ${hearing}; sight ${sight}`);
  if (values.live) {
    const restart = changesNeedingRestart(read(values.live), world);
    if (restart.length > 0) {
      console.log(`saved over ${values.live}, it needs a restart of the servers and workers for:\n  ${restart.join("\n  ")}`);
      process.exit(2);
    }
    console.log(`saved over ${values.live}, running servers and workers take it as it is`);
  }
} catch (error) {
  if (!(error instanceof WorldFileError || error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

/**
 * The start lets the default model (MODEL_DIR) be missing, its NPCs saying fallback lines, so that `npm start` runs
 * without one; a content check that said "good" to a mistyped MODEL_DIR left every such NPC without a brain.
 */
function defaultModelProblem(world: WorldFile, dir: string, dtype: ModelDtype | undefined): void {
  const npcs = world.brains.filter((brain) => brain.model === "default").map((brain) => brain.npcId);
  if (npcs.length === 0) return;
  try {
    checkModelFolder(dir, dtype ?? "fp32");
  } catch (error) {
    throw new WorldFileError(path, [`models.default (MODEL_DIR ${dir}): ${(error as Error).message}; its NPCs (${npcs.join(", ")}) would say only fallback lines`]);
  }
}

/** Each model folder of `world` loaded as a worker loads it; throws a WorldFileError naming those that fail. */
async function loadModels(world: WorldFile, dtype: ModelDtype | undefined): Promise<void> {
  const { NpcEngine } = await import("../../npc/engine.js");
  const problems: string[] = [];
  for (const dir of new Set(world.brains.map((brain) => brain.modelDir))) {
    const models = [...new Set(world.brains.filter((brain) => brain.modelDir === dir).map((brain) => brain.model))].join(", ");
    try {
      await (await NpcEngine.loadWarm(dir, dtype ? { dtype } : {}, 1)).dispose();
    } catch (error) {
      problems.push(`models.${models}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new WorldFileError(path, problems);
}
