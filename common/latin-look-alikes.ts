/**
 * Cyrillic, Greek and other letters drawn as Latin ones, in either case ("fuсk", "FUСK" with a Cyrillic с, "fυck"
 * with a Greek υ, "Kоbot"), and small capitals ("ꜰᴜᴄᴋ", which NFKC leaves as they are): what moderation reads them as,
 * and what a name that would pass for an NPC's looks like.
 */
export const LATIN_LOOKALIKE: Record<string, string> = {
  а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", і: "i", ѕ: "s", ј: "j", к: "k", м: "m", т: "t", в: "b", н: "h", ԁ: "d", ɡ: "g",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", У: "Y", Х: "X", І: "I", Ѕ: "S", Ј: "J",
  α: "a", β: "b", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T", Υ: "Y", Χ: "X", ƒ: "f",
  ᴀ: "a", ʙ: "b", ᴄ: "c", ᴅ: "d", ᴇ: "e", ꜰ: "f", ɢ: "g", ʜ: "h", ɪ: "i", ᴊ: "j", ᴋ: "k", ʟ: "l", ᴍ: "m", ɴ: "n", ᴏ: "o", ᴘ: "p",
  ꞯ: "q", ʀ: "r", ꜱ: "s", ᴛ: "t", ᴜ: "u", ᴠ: "v", ᴡ: "w", ʏ: "y", ᴢ: "z",
  // dotless i, Latin alpha, Greek mu (NFKC makes µ one), Cyrillic soft sign, s with a hook, Cherokee S ("shıt", "fμck", "Ьitch", "Ꮪhit")
  ı: "i", ɑ: "a", μ: "u", Ь: "b", ь: "b", ʂ: "s", Ꮪ: "S", ꮪ: "s",
};
