import type { WorldSettings } from "./world-settings.js";

/** What an edit of the world file may change while rooms run (server/world-files/world-changes.ts says what it may not). */
export type LiveWorld = Pick<WorldSettings, "npcs" | "hearing" | "sight">;

/**
 * The world file's edits, for the rooms of this process: `apply` writes them into the settings every room reads
 * (rooms created later start with them) and tells each running room to take them.
 */
export class WorldEdits {
  private readonly rooms = new Set<() => void>();

  constructor(private readonly settings: WorldSettings) {}

  /** `take` runs after each edit, until the returned function is called (the room is disposed). */
  subscribe(take: () => void): () => void {
    this.rooms.add(take);
    return () => this.rooms.delete(take);
  }

  /** Every room takes the edit; one that fails to is logged, and the others take it all the same. */
  apply(world: LiveWorld, failed: (error: unknown) => void = () => {}): void {
    Object.assign(this.settings, world);
    for (const take of this.rooms) {
      try {
        take();
      } catch (error) {
        failed(error);
      }
    }
  }
}
