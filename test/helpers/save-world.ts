import { renameSync, writeFileSync } from "node:fs";

/** A world file saved as an editor saves it: written beside the file, then renamed over it (a watcher sees it whole). */
export function saveWorld(file: string, world: object | string): void {
  writeFileSync(`${file}.swp`, typeof world === "string" ? world : JSON.stringify(world, null, 2));
  renameSync(`${file}.swp`, file);
}
