import type { WorldFile } from "./world-file.js";

/**
 * What an edit of the world file changed that running servers and workers cannot take, each named as in the file
 * (`npcs.hans.name`); empty when they can take all of it. Rooms take what their NPCs say unasked and where they
 * stand (lines, timings, positions, talk radii) and the hearing and sight radii; workers take how they answer an NPC
 * (decoding, unsure lines and bars, the scripted bar). Both take a new NPC that speaks with a model the workers
 * loaded, and one removed. NPCs renamed (players' names are checked against them at join, and the worker hears
 * questions without them), other models, the knowledge files of NPCs already there, and whether hearing or sight
 * are by distance at all need a restart.
 */
export function changesNeedingRestart(taken: WorldFile, next: WorldFile): string[] {
  const changes: string[] = [];
  const idsBefore = taken.npcs.map((npc) => npc.id);
  const loaded = new Set(taken.brains.map((brain) => brain.modelDir));
  for (const brain of next.brains) {
    if (idsBefore.includes(brain.npcId) || loaded.has(brain.modelDir)) continue;
    changes.push(`npcs.${brain.npcId}.model (${brain.model}: a model the running workers have not loaded)`);
  }
  for (const npc of next.npcs) {
    const before = taken.npcs.find((old) => old.id === npc.id);
    if (!before) continue;
    if (before.name !== npc.name) changes.push(`npcs.${npc.id}.name`);
    const [brainBefore, brain] = [brainOf(taken, npc.id), brainOf(next, npc.id)];
    for (const field of new Set([...Object.keys(brainBefore), ...Object.keys(brain)])) {
      if (!LOADED_AT_START.has(field) || sameValue(brainBefore[field], brain[field])) continue;
      changes.push(`npcs.${npc.id}.${field === "modelDir" ? "model" : field}`);
    }
  }
  if (taken.hearing.mode !== next.hearing.mode) changes.push(`hearing.mode (${taken.hearing.mode} → ${next.hearing.mode})`);
  if ((taken.sight.radius > 0) !== (next.sight.radius > 0)) changes.push(`sight.radius (${taken.sight.radius} → ${next.sight.radius}: sight range on or off)`);
  return [...new Set(changes)];
}

/** What a worker loads for an NPC as it starts: its model (by name and folder) and its knowledge file. */
const LOADED_AT_START = new Set(["model", "modelDir", "knowledge"]);

const brainOf = (world: WorldFile, npcId: string): Record<string, unknown> => ({ ...world.brains.find((brain) => brain.npcId === npcId) });

/** Equal as data, whatever the order of an object's keys (a YAML map written in another order is the same settings). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
