import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";

import { createLogger } from "../../common/log.js";
import { processAlive } from "../../common/process-alive.js";

/** Copies of this process and thread, named `kobot-model-copy-<pid>-<thread>-…`, while `load` runs on them. */
const PREFIX = `kobot-model-copy-${process.pid}-${threadId}-`;
const COPY = /^kobot-model-copy-(\d+)-(\d+)-/;
const loading = new Set<string>();
const log = createLogger({ module: "private-copy", pid: process.pid });

/**
 * Runs `load` on a private copy of a model folder, removed once `load` is done. onnxruntime maps the weights file
 * (onnx/model.onnx_data) and reads it as it answers: a studio copying a new export over the folder in place (`cp`)
 * ended the process with SIGBUS, every room with it, and a copy of the same size changed the running weights
 * silently. A removed file stays mapped whole until its sessions are disposed, and nothing can write to it.
 * Where no copy can be made (no room in the temporary folder), the folder itself is loaded.
 */
export async function withPrivateCopy<T>(folder: string, load: (copy: string) => Promise<T>): Promise<T> {
  removeStaleCopies();
  let copy: string | undefined;
  try {
    copy = mkdtempSync(join(tmpdir(), PREFIX));
    loading.add(copy);
    cpSync(folder, copy, { recursive: true });
  } catch (error) {
    if (copy) forget(copy);
    // Said, or the operator never learnt that the guard was off, nor that TMPDIR was too small.
    log.warn("NPC model loaded from its folder, not a private copy: do not copy a new export over it while this process runs", {
      folder, tmpdir: tmpdir(), error, fix: "make room in TMPDIR (about the model folder's size), or point TMPDIR at a folder with room",
    });
    return load(folder);
  }
  try {
    return await load(copy);
  } catch (error) {
    // Said of the folder the studio named, not of a copy gone by then.
    if (error instanceof Error) error.message = error.message.replaceAll(copy, folder);
    throw error;
  } finally {
    forget(copy);
  }
}

function forget(copy: string): void {
  loading.delete(copy);
  rmSync(copy, { recursive: true, force: true });
}

/**
 * Copies a process killed while loading left (its `finally` never ran): one a try of a worker that failed to start
 * and was started again, in a container's temporary folder that outlives its restarts, until the folder was full.
 * A copy is stale where its process is gone, or is this one (a restarted container's first process has the same
 * pid) on this thread and not loading now; another thread's of this process may be in use.
 */
function removeStaleCopies(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const [, pid, thread] = COPY.exec(name) ?? [];
    if (pid === undefined) continue;
    const path = join(tmpdir(), name);
    const ours = Number(pid) === process.pid;
    const stale = ours ? Number(thread) === threadId && !loading.has(path) : !processAlive(Number(pid));
    if (stale) rmSync(path, { recursive: true, force: true });
  }
}
