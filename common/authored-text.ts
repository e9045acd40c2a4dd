import { readFileSync } from "node:fs";

/**
 * A text file a person wrote (a world file, a knowledge file, questions for the CLI) as the code reads it: without
 * a byte order mark (Notepad, Excel), which would make its first line not JSON or not a key; and composed (NFC), as
 * players' lines are (clean-text.ts), or Hangul saved as separate jamo (macOS) would match nothing typed.
 */
export function readAuthoredText(path: string): string {
  return readFileSync(path, "utf8").replace(/^\uFEFF/, "").normalize("NFC");
}
