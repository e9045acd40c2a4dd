import type { WorldFile } from "./world-file.js";

/**
 * What an edit of the world file changed that running servers and workers cannot take, each named as in the file
 * (`npcs.guard.model`); empty when they can take all of it. Rooms take what their NPCs say unasked and where they
 * stand (lines, timings, positions, talk radii), their names, and the hearing and sight radii; workers take how they
 * answer an NPC (decoding, unsure lines and bars, the scripted bar, its knowledge file). Both take NPCs added and
 * removed. What needs a restart: a model the running workers have not loaded (`loaded`, the model folders they
 * started with), and hearing or sight by distance turned on or off (players' views of their own, or one shared). Talk
 * in private is taken as it comes: its lines go to their player as messages (rooms/chat/chat-history.ts).
 */
export function changesNeedingRestart(taken: WorldFile, next: WorldFile, loaded: ReadonlySet<string> = modelsOf(taken)): string[] {
  const changes: string[] = [];
  for (const brain of next.brains) {
    if (!loaded.has(brain.modelDir)) changes.push(`npcs.${brain.npcId}.model (${brain.model}: a model the running workers have not loaded)`);
  }
  if (taken.hearing.mode !== next.hearing.mode) changes.push(`hearing.mode (${taken.hearing.mode} → ${next.hearing.mode})`);
  if ((taken.sight.radius > 0) !== (next.sight.radius > 0)) changes.push(`sight.radius (${taken.sight.radius} → ${next.sight.radius}: sight range on or off)`);
  return changes;
}

/** The model folders a world's NPCs speak with: what its workers load as they start. */
export const modelsOf = (world: Pick<WorldFile, "brains">): Set<string> => new Set(world.brains.map((brain) => brain.modelDir));
