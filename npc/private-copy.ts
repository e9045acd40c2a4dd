import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs `load` on a private copy of a model folder, removed once `load` is done. onnxruntime maps the weights file
 * (onnx/model.onnx_data) and reads it as it answers: a studio copying a new export over the folder in place (`cp`)
 * ended the process with SIGBUS, every room with it, and a copy of the same size changed the running weights
 * silently. A removed file stays mapped whole until its sessions are disposed, and nothing can write to it.
 * Where no copy can be made (no room in the temporary folder), the folder itself is loaded.
 */
export async function withPrivateCopy<T>(folder: string, load: (copy: string) => Promise<T>): Promise<T> {
  let copy: string | undefined;
  try {
    copy = mkdtempSync(join(tmpdir(), "kobot-model-"));
    cpSync(folder, copy, { recursive: true });
  } catch {
    if (copy) rmSync(copy, { recursive: true, force: true });
    return load(folder);
  }
  try {
    return await load(copy);
  } catch (error) {
    // Said of the folder the studio named, not of a copy gone by then.
    if (error instanceof Error) error.message = error.message.replaceAll(copy, folder);
    throw error;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
