import { compatibilityJamo, compose, decompose, jamoOf, syllable } from "../../common/hangul.js";
import { LATIN_LOOKALIKE } from "../../common/latin-look-alikes.js";

/** Jamo standing alone after NFKC, which makes compatibility jamo (ㅋ) conjoining ones (ᄏ) and composes only some. */
const LOOSE_JAMO = /[\u1100-\u11ff\u3131-\u318e]/u;

/**
 * A name as it looks: full-width and other compatibility forms folded, one case, look-alikes as Latin, letters and
 * digits only, and separate jamo composed as a keyboard would ("ㅋㅗㅂㅗㅅ" and "ㅋㅗ봇" read 코봇, as a glance reads them).
 */
export function looks(name: string): string {
  const folded = [...name.normalize("NFKC").toLowerCase()]
    .map((c) => LATIN_LOOKALIKE[c] ?? c)
    .filter((c) => /[\p{L}\p{N}]/u.test(c))
    .join("");
  return LOOSE_JAMO.test(folded) ? compose(decompose(compatibilityJamo(folded))) : folded;
}

/** A syllable's double final drawn small under it, read as its first consonant: 믾 as 민, 닭 as 닥. */
const DOUBLE_FINAL_FIRST: Record<string, string> = { ㄳ: "ㄱ", ㄵ: "ㄴ", ㄶ: "ㄴ", ㄺ: "ㄹ", ㄻ: "ㄹ", ㄼ: "ㄹ", ㄽ: "ㄹ", ㄾ: "ㄹ", ㄿ: "ㄹ", ㅀ: "ㄹ", ㅄ: "ㅂ" };

/**
 * Two players' names as a glance tells them apart: `looks`, and a Hangul syllable's double final as its first
 * consonant ("믾수" beside "민수" in a busy chat reads as 민수). Names that fold alike are one name in a room.
 */
export function playerLooks(name: string): string {
  return [...looks(name)]
    .map((c) => {
      const jamo = jamoOf(c);
      const single = jamo && DOUBLE_FINAL_FIRST[jamo.final];
      return single ? syllable({ ...jamo, final: single }) : c;
    })
    .join("");
}
