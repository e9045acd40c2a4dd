import { readFileSync } from "node:fs";

/** Throws on the first byte that is not UTF-8: read leniently, a CP949 file's Korean became U+FFFD and matched nothing. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A file a person wrote that is not in UTF-8 (Notepad's "ANSI" and Excel save Korean as CP949/EUC-KR), with the
 * first line that is not: read as UTF-8 anyway, its words were silently replaced.
 */
export class NotUtf8Error extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    savedAs: string,
  ) {
    super(`${path}:${line}: not UTF-8 (saved as ${savedAs}): save it as UTF-8`);
    this.name = "NotUtf8Error";
  }
}

/**
 * A text file a person wrote (a world file, a knowledge file, a word list, questions for the CLI) as the code reads
 * it: UTF-8 or a NotUtf8Error; without a byte order mark (Notepad, Excel), which would make its first line not JSON or
 * not a key; and composed (NFC), as players' lines are (clean-text.ts), or Hangul saved as separate jamo (macOS) would
 * match nothing typed.
 */
export function readAuthoredText(path: string): string {
  const bytes = readFileSync(path);
  // Notepad's "Unicode": valid UTF-8 byte for byte where it is ASCII (NULs between letters), so said by its mark.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new NotUtf8Error(path, 1, `UTF-16 (Notepad's "Unicode")`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new NotUtf8Error(path, firstBadLine(bytes), "ANSI/EUC-KR?");
  }
  return text.replace(/^\uFEFF/, "").normalize("NFC");
}

/** The first line (from 1) that is not UTF-8; a line break byte is never inside a UTF-8 or CP949 character. */
function firstBadLine(bytes: Uint8Array): number {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      utf8.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    start = stop + 1;
  }
  return line;
}
