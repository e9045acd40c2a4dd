import { type FSWatcher, realpathSync, statSync, watch } from "node:fs";
import { dirname, resolve } from "node:path";

import type { Logger } from "../../common/log.js";

/** How long a file must stay still before it is read: an editor saves in several writes, or a write and a rename. */
export const DEFAULT_SETTLE_MS = 150;

export interface WatchOptions {
  /**
   * How long after its last change a file is read (default 150 ms; FILE_SETTLE_MS): a file written in pieces is read once whole when
   * no pause between them is this long, or its first pieces may be taken for a moment, where they make a good file alone.
   */
  settleMs?: number;
  /** How often each watched folder is looked at for having been swapped for another (FOLDER_CHECK_MS; tests wait less). */
  folderCheckMs?: number;
}

/**
 * Calls `changed` with a file's path once it has stopped changing, for files a studio edits while the server runs
 * (knowledge files, the world file). `what` names them in the warnings ("knowledge files"): a folder that cannot be watched leaves the
 * game running, with edits needing a restart. Returns what stops watching, and `watch`, which changes the files watched.
 */
export function watchFiles(
  paths: Iterable<string>,
  what: string,
  log: Logger,
  changed: (file: string) => void,
  { settleMs = DEFAULT_SETTLE_MS, folderCheckMs = FOLDER_CHECK_MS }: WatchOptions = {},
): { close(): void; watch(paths: Iterable<string>): void } {
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
  /** Each watched folder's inode as its watcher began: a watcher stays on the inode it was given. */
  const inodes = new Map<string, string | undefined>();
  const watchFolder = (folder: string) => {
    inodes.set(folder, inodeOf(folder));
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => onChange(folder, name?.toString()));
      watcher.on("error", (error) => log.warn(`${what} no longer watched: edits need a restart`, { folder, error }));
      return watcher;
    } catch (error) {
      // A folder not made yet (a world edit naming knowledge/hans.jsonl before knowledge/): watched once it is, by the
      // folder check below; said as needing a restart, it sent the operator to restart for nothing.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
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
      inodes.delete(folder);
    }
  };
  /**
   * A folder swapped for another under its name (`mv worlds.new worlds`, `rm -rf` and copied again: a deploy) leaves
   * its watcher on the old one, which nothing changes any more: every edit after went unseen, and nothing said so.
   * Looked at every few seconds; one found anew is watched again and its files read.
   */
  const swapped = setInterval(() => {
    for (const [folder, inode] of inodes) {
      const now = inodeOf(folder);
      if (now === undefined || now === inode) continue; // gone (for now), or the same
      watchers.get(folder)?.close();
      watchers.delete(folder);
      for (const file of files) if (dirname(file) === folder || dirname(targets.get(file) ?? "") === folder) settle(file);
      follow();
    }
  }, folderCheckMs).unref();
  follow();
  return {
    close() {
      clearInterval(swapped);
      for (const watcher of watchers.values()) watcher?.close();
      watchers.clear();
      for (const timer of settling.values()) clearTimeout(timer);
    },
    /** Watches `paths` from now on, in place of the files before: a file kept keeps an edit still settling. */
    watch(paths) {
      const next = new Set([...paths].map((path) => resolve(path)));
      for (const file of files) {
        if (next.has(file)) continue;
        files.delete(file);
        targets.delete(file);
        clearTimeout(settling.get(file));
        settling.delete(file);
      }
      for (const file of next) {
        if (files.has(file)) continue;
        files.add(file);
        targets.set(file, targetOf(file));
      }
      follow();
    },
  };
}

/** How often each watched folder is looked at for having been swapped for another under its name. */
const FOLDER_CHECK_MS = 2000;

/** A folder's inode, or undefined while there is none. */
/**
 * The folder as the file system knows it: its inode, and when it was made. A folder removed and made again at once
 * (`rm -rf worlds && cp -r … worlds`) often gets its inode number back (ext4): by that alone it was the same folder,
 * never watched again, and every edit after went unseen.
 */
function inodeOf(folder: string): string | undefined {
  try {
    const { ino, birthtimeMs } = statSync(folder);
    return `${ino}@${birthtimeMs}`;
  } catch {
    return undefined;
  }
}

/** The file a path's links lead to, or undefined while there is none. */
function targetOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
