import { withoutLoop } from "./loop-guard.js";
import { oneLine } from "./one-line.js";

/**
 * One step of a streamed answer: the text so far of batch row `index` and what this step added. Show
 * `text`: it grows, except once when a loop is cut back to one saying (then `delta` is the whole text, and `cut`
 * is true: a client that appends deltas writes the line again).
 */
export interface TokenEvent {
  index: number;
  text: string;
  delta: string;
  cut?: true;
}

export type TokenCallback = (event: TokenEvent) => void;

/**
 * Turns the decoder's new tokens into text events per batch row.
 *
 * A Hangul syllable spans several byte-level tokens: text is emitted only once it decodes to whole
 * characters, so a player never sees a half-written "�" (the engine's decode drops it too).
 */
export class TokenStream {
  private readonly generated: number[][];
  private readonly shown: string[];
  private readonly finished: boolean[];

  constructor(
    rows: number,
    private readonly decode: (ids: number[]) => string,
    private readonly eosId: number,
    private readonly onToken: TokenCallback,
    /** Per row, the NPC's own lines as token ids: one it is saying is said whole, a saying it repeats too (not a loop). */
    private readonly ownLines: readonly (readonly (readonly number[])[])[] = [],
  ) {
    this.generated = Array.from({ length: rows }, () => []);
    this.shown = new Array<string>(rows).fill("");
    this.finished = new Array<boolean>(rows).fill(false);
  }

  /** Row `index` produced token `id`. */
  push(index: number, id: number): void {
    if (this.finished[index]) return;
    if (id === this.eosId) {
      this.finished[index] = true;
      return;
    }
    const ids = this.generated[index]!;
    ids.push(id);
    // As the answer will be said (its spaces as oneLine leaves them): a leading space streamed stayed on screen.
    const text = oneLine(this.decode(this.saying(index, ids) ? ids : withoutLoop(ids)));
    if (text.endsWith("\ufffd") || text === this.shown[index]) return;
    const grew = text.startsWith(this.shown[index]!);
    this.onToken({ index, text, delta: grew ? text.slice(this.shown[index]!.length) : text, ...(grew ? {} : { cut: true as const }) });
    this.shown[index] = text;
  }

  /** Whether row `index` is saying one of its own lines (the decoder goes on with it once begun). */
  private saying(index: number, ids: readonly number[]): boolean {
    return (this.ownLines[index] ?? []).some((line) => ids.length <= line.length && ids.every((id, i) => id === line[i]));
  }
}
