import { type FSWatcher, realpathSync, watch } from "node:fs";
import { dirname, resolve } from "node:path";

import type { Logger } from "../common/log.js";

/** How long a file must stay still before it is read: an editor saves in several writes, or a write and a rename. */
const SETTLE_MS = 150;

/**
 * Calls `changed` with a file's path once it has stopped changing, for files a studio edits while the server runs
 * (knowledge files, the world file). `what` names them in the warnings ("knowledge files"): a folder that cannot be watched leaves the
 * game running, with edits needing a restart. Returns what stops watching.
 */
export function watchFiles(paths: Iterable<string>, what: string, log: Logger, changed: (file: string) => void): { close(): void } {
  const files = new Set([...paths].map((path) => resolve(path)));
  const settling = new Map<string, NodeJS.Timeout>();
  const settle = (file: string) => {
    clearTimeout(settling.get(file));
    settling.set(file, setTimeout(() => {
      settling.delete(file);
      changed(file);
    }, SETTLE_MS));
  };
  // Where each file's links lead, read again when they lead elsewhere: a Kubernetes ConfigMap updates its files by
  // renaming a new `..data` link over the old, while `world.json -> ..data/world.json` itself never changes.
  const targets = new Map([...files].map((file) => [file, targetOf(file)]));
  const relinked = (folder: string) =>
    [...files].filter((file) => {
      if (dirname(file) !== folder) return false;
      const target = targetOf(file);
      if (target === undefined || target === targets.get(file)) return false;
      targets.set(file, target);
      return true;
    });
  const watchers: FSWatcher[] = [];
  for (const folder of new Set([...files].map(dirname))) {
    try {
      // The folder, not the file: an editor that saves by renaming a new file over the old leaves a file watcher blind.
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        const file = name && resolve(folder, name.toString());
        if (file && files.has(file)) {
          targets.set(file, targetOf(file));
          return settle(file);
        }
        relinked(folder).forEach(settle);
      });
      watcher.on("error", (error) => log.warn(`${what} no longer watched: edits need a restart`, { folder, error }));
      watchers.push(watcher);
    } catch (error) {
      // Out of inotify watches (ENOSPC), say: the game runs on, with what was read at start.
      log.warn(`${what} not watched: edits need a restart`, { folder, error });
    }
  }
  return {
    close() {
      for (const watcher of watchers) watcher.close();
      for (const timer of settling.values()) clearTimeout(timer);
    },
  };
}

/** The file a path's links lead to, or undefined while there is none. */
function targetOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
