/** Lines kept to call back: a game chat's recent talk, not a log. */
const KEPT = 30;

/** A line as the player said it: its words, and to whom (an NPC's id; "" for everyone; undefined: not known). */
export interface RecalledLine {
  text: string;
  to?: string;
}

/**
 * The player's recent lines, called back into the chat box with ↑ and ↓ as in a game's console, each with whom it was
 * said to: each line sent, and each refused line given back while the box held another (it was lost: the box keeps
 * what is being typed). Walking away from the line being typed keeps it, and ↓ past the newest brings it back.
 */
export class LineRecall {
  private readonly lines: RecalledLine[] = [];
  /** Where ↑ and ↓ stand: `lines.length` is the line being typed. */
  private at = 0;
  private draft: RecalledLine = { text: "" };

  /** A line to call back later; the walk starts again from the line being typed. */
  add(line: RecalledLine): void {
    const newest = this.lines.at(-1);
    if (line.text !== "" && !(newest?.text === line.text && newest.to === line.to)) this.lines.push(line);
    if (this.lines.length > KEPT) this.lines.shift();
    this.at = this.lines.length;
  }

  /** The line before the one in the box (`current`: the box now, kept when it is the line being typed), or undefined at the oldest. */
  older(current: RecalledLine): RecalledLine | undefined {
    if (this.at === 0) return undefined;
    if (this.at === this.lines.length) this.draft = current;
    return this.lines[--this.at];
  }

  /** The line after the one in the box: the newest leads back to the line being typed; undefined when it is in the box already. */
  newer(): RecalledLine | undefined {
    if (this.at >= this.lines.length) return undefined;
    this.at++;
    return this.at === this.lines.length ? this.draft : this.lines[this.at];
  }
}
