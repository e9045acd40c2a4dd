import { withoutLoop } from "./loop-guard.js";

/**
 * One step of a streamed answer: the text so far of batch row `index` and what this step added. Show
 * `text`: it grows, except once when a loop is cut back to one saying (then `delta` is the whole text).
 */
export interface TokenEvent {
  index: number;
  text: string;
  delta: string;
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
    this.generated[index]!.push(id);
    const text = this.decode(withoutLoop(this.generated[index]!)); // as the final answer will read
    if (text.endsWith("\ufffd") || text === this.shown[index]) return;
    const delta = text.startsWith(this.shown[index]!) ? text.slice(this.shown[index]!.length) : text;
    this.shown[index] = text;
    this.onToken({ index, text, delta });
  }
}
