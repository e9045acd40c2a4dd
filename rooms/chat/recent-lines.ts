/** A line a player said, as a report shows it: `moderated` when moderation stopped it and nobody saw it. */
export interface SaidLine {
  id: string;
  text: string;
  ts: number;
  moderated?: true;
  /** Its learned toxicity score, as the chat log has it, where the server has the model: a moderator reads it beside the line. */
  toxicity?: number;
}

/**
 * Each player's last few lines in the room, kept for reports of them: the room's history drops lines as the room
 * talks on (a busy room's 50 lines are a minute), and never holds the lines moderation stopped, which are the
 * reason for most reports.
 */
export class RecentLines {
  private readonly lines = new Map<string, SaidLine[]>();

  constructor(private readonly keep: number) {}

  add(player: string, line: SaidLine): void {
    const said = this.lines.get(player) ?? [];
    said.push(line);
    if (said.length > this.keep) said.shift();
    this.lines.set(player, said);
  }

  /** The player's last lines, oldest first. */
  of(player: string): readonly SaidLine[] {
    return this.lines.get(player) ?? [];
  }

  forget(player: string): void {
    this.lines.delete(player);
  }
}
