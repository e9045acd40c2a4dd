import { type FSWatcher, realpathSync, watch } from "node:fs";
import { dirname, resolve } from "node:path";

import type { Logger } from "../common/log.js";

/** How long a file must stay still before it is read: an editor saves in several writes, or a write and a rename. */
export const DEFAULT_SETTLE_MS = 150;

export interface WatchOptions {
  /**
   * How long after its last change a file is read (default 150 ms; FILE_SETTLE_MS): a file written in pieces is read once whole when
   * no pause between them is this long, or its first pieces may be taken for a moment, where they make a good file alone.
   */
  settleMs?: number;
}

/**
 * Calls `changed` with a file's path once it has stopped changing, for files a studio edits while the server runs
 * (knowledge files, the world file). `what` names them in the warnings ("knowledge files"): a folder that cannot be watched leaves the
 * game running, with edits needing a restart. Returns what stops watching.
 */
export function watchFiles(
  paths: Iterable<string>,
  what: string,
  log: Logger,
  changed: (file: string) => void,
  { settleMs = DEFAULT_SETTLE_MS }: WatchOptions = {},
): { close(): void } {
  const files = new Set([...paths].map((path) => resolve(path)));
  const settling = new Map<string, NodeJS.Timeout>();
  const settle = (file: string) => {
    clearTimeout(settling.get(file));
    settling.set(file, setTimeout(() => {
      settling.delete(file);
      changed(file);
    }, settleMs));
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
  const onChange = (folder: string, name: string | undefined) => {
    const path = name && resolve(folder, name);
    const named = [...files].filter((file) => path === file || path === targets.get(file));
    for (const file of named) targets.set(file, targetOf(file));
    [...new Set([...named, ...relinked(folder)])].forEach(settle);
    follow();
  };
  // The folder, not the file: an editor that saves by renaming a new file over the old leaves a file watcher blind.
  // Each file's own folder, and the one its links lead to: a file linked from elsewhere and edited in place there
  // changes nothing in the link's folder.
  const watchers = new Map<string, FSWatcher | undefined>();
  const watchFolder = (folder: string) => {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => onChange(folder, name?.toString()));
      watcher.on("error", (error) => log.warn(`${what} no longer watched: edits need a restart`, { folder, error }));
      return watcher;
    } catch (error) {
      // Out of inotify watches (ENOSPC), say: the game runs on, with what was read at start.
      log.warn(`${what} not watched: edits need a restart`, { folder, error });
      return undefined;
    }
  };
  const follow = () => {
    const folders = new Set(
      [...files].flatMap((file) => {
        const target = targets.get(file);
        return target ? [dirname(file), dirname(target)] : [dirname(file)];
      }),
    );
    for (const folder of folders) if (!watchers.has(folder)) watchers.set(folder, watchFolder(folder));
    for (const [folder, watcher] of watchers) {
      if (folders.has(folder)) continue;
      watcher?.close(); // where a link led before: a ConfigMap's old folder, removed after the update
      watchers.delete(folder);
    }
  };
  follow();
  return {
    close() {
      for (const watcher of watchers.values()) watcher?.close();
      watchers.clear();
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
