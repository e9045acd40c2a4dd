/** Each Hangul syllable of KS X 1001 (the 2,350 in everyday use) and its two bytes in CP949/EUC-KR. */
let syllables: Map<string, Buffer> | undefined;

/**
 * `text` as Notepad's "ANSI" or Excel saves it on a Korean Windows: CP949. Node decodes it but has no encoder, so
 * the table is built from its decoder; ASCII is as in UTF-8.
 */
export function savedAsCp949(text: string): Buffer {
  if (!syllables) {
    syllables = new Map();
    const eucKr = new TextDecoder("euc-kr");
    for (let lead = 0xb0; lead <= 0xc8; lead++) {
      for (let trail = 0xa1; trail <= 0xfe; trail++) syllables.set(eucKr.decode(Buffer.of(lead, trail)), Buffer.of(lead, trail));
    }
  }
  return Buffer.concat([...text].map((c) => {
    if (c.charCodeAt(0) < 0x80) return Buffer.from(c, "latin1");
    const bytes = syllables!.get(c);
    if (!bytes) throw new Error(`"${c}" is not in the test's CP949 table`);
    return bytes;
  }));
}

/** `text` as Notepad saves it as "Unicode" (UTF-16, little-endian) or "Unicode big endian", with its byte order mark. */
export function savedAsUtf16(text: string, { bigEndian = false } = {}): Buffer {
  const bytes = Buffer.from(`\uFEFF${text}`, "utf16le");
  return bigEndian ? bytes.swap16() : bytes;
}
