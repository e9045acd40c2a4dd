import type { Room } from "@colyseus/sdk";

import type { PrivateLineMessage } from "../../rooms/world-protocol.js";
import type { ChatLine, WorldState } from "../../rooms/world-state.js";
import { NewLines } from "./new-lines.js";
import { PrivateLines } from "./private-lines.js";

/** New lines kept in the screen reader's region: it reads each as it comes; older ones would only be met again there. */
const KEPT_SPOKEN = 5;

/** A line as shown: one of the room's chat, or one said in private (a `private_line` message, with the same fields). */
type ShownLine = ChatLine | PrivateLineMessage;

/**
 * The chat history: the lines this player saw, oldest first, kept here (the room keeps its last lines for everyone,
 * and with a hearing range far players' talk pushed the lines this player heard out of it). Another player's line has
 * a button that reports them to the moderators (the server files it with their last lines). The player's talk in
 * private with an NPC comes as messages, not in the room's chat, and is shown among those lines as it comes.
 *
 * Lines are added and dropped one by one, never the list redrawn: a redraw took the focus from a report button, lost
 * a selection and had a screen reader read the whole history again at each line.
 *
 * A screen reader hears the new lines through a region of their own (`spoken`), as said: the list itself was the live
 * region, and every join read the room's whole backlog aloud, each other player's line ending in its button's "신고".
 */
export class ChatHistory {
  /** Each shown line's item, by line id. */
  private readonly items = new Map<string, HTMLLIElement>();
  private readonly newLines = new NewLines<ChatLine>();
  private readonly privateLines = new PrivateLines();
  /**
   * The player reads the newest lines (the history scrolled to its end): new ones are scrolled to, and so is the end
   * when the box gets shorter. Kept from the player's scrolling, not read from the box as a line comes: a phone's box
   * shrinks under a notice, turned sideways or with its keyboard up, its end then looked scrolled away from, and the
   * history followed no line after (an NPC's answer came out of sight).
   */
  private pinned = true;

  constructor(
    private readonly list: HTMLOListElement,
    /** The live region a screen reader reads the new lines from. */
    private readonly spoken: HTMLElement,
    /** Every session this page has had (main.ts): a rejoin is a new one, and the player's earlier lines are still theirs. */
    private readonly mySessions: ReadonlySet<string>,
    /** The player asks to report another (the report button on their line, `anchor`). */
    onReport: (player: string, name: string, anchor: HTMLElement) => void,
  ) {
    list.addEventListener("scroll", () => void (this.pinned = list.scrollTop + list.clientHeight >= list.scrollHeight - 4), { passive: true });
    new ResizeObserver(() => this.pinned && this.scrollToEnd()).observe(list);
    list.addEventListener("click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button.report");
      const { player, name } = button?.dataset ?? {};
      if (button && player && name) onReport(player, name, button);
    });
  }

  /** Shows the lines of `room` not shown yet and drops the oldest past what is kept; gives the lines it added. */
  update(room: Room<any, WorldState> | undefined): ChatLine[] {
    const chat = room?.state?.chat;
    if (!chat) return [];
    const { added, backlog, dropped } = this.newLines.take(room, chat);
    // Shown, not read out: the room's last lines as the player comes in are the talk before them.
    for (const line of added) this.show(line, !backlog);
    for (const id of dropped) this.drop(id);
    if (added.length > 0 && this.pinned) this.scrollToEnd();
    return added;
  }

  /**
   * Shows a line of the player's talk in private with an NPC where it comes (never in the room's chat: the server
   * sends it to them alone), as a line of the room's; false for one shown already (held over a reconnection, sent again).
   */
  addPrivate(line: PrivateLineMessage): boolean {
    if (this.items.has(line.id)) return false;
    const taken = this.privateLines.take(line.id);
    if (!taken) return false;
    this.show(line, true);
    for (const id of taken.dropped) this.drop(id);
    if (this.pinned) this.scrollToEnd();
    return true;
  }

  /** Adds `line` at the end, read out if `spoken`; another player's line with its report button. */
  private show(line: ShownLine, spoken: boolean): void {
    const item = lineItem(line, line.kind === "player" && !this.mySessions.has(line.from));
    this.items.set(line.id, item);
    this.list.append(item);
    if (spoken) this.speak(line);
  }

  private drop(id: string): void {
    this.items.get(id)?.remove();
    this.items.delete(id);
  }

  private scrollToEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** The line as said, for a screen reader: name and words, not its report button. */
  private speak(line: ShownLine): void {
    this.spoken.append(Object.assign(document.createElement("p"), { textContent: line.kind === "system" ? line.text : `${line.name}: ${line.text}` }));
    while (this.spoken.childElementCount > KEPT_SPOKEN) this.spoken.firstElementChild!.remove();
  }

  /** Out of a room, no report could be sent: the buttons are hidden until the player is in one again. */
  showReportButtons(on: boolean): void {
    this.list.classList.toggle("offline", !on);
  }
}

function lineItem(line: ShownLine, reportable: boolean): HTMLLIElement {
  const item = document.createElement("li");
  item.className = line.kind;
  item.dataset.id = line.id;
  if (line.replyTo) item.dataset.replyTo = line.replyTo;
  if (line.kind === "system") {
    // A join or leave line begins with the players' names, which its `name` repeats: drawn as names, apart from the
    // server's words, so a name can never pass for them. Each name in its own <bdi>, the ", " between them outside: one
    // isolate round the list let a right-to-left name first reorder it ("민수, 철수 ,ﷺﷺ"). Names hold no comma.
    if (line.name && line.text.startsWith(line.name)) {
      const names = document.createElement("b");
      line.name.split(NAMES_PARTED).forEach((name, i) => names.append(...(i > 0 ? [NAMES_PARTED] : []), isolated(name)));
      item.append(names, line.text.slice(line.name.length));
    } else {
      item.textContent = line.text;
    }
    return item;
  }
  // Name and words each isolated from the other's direction: a Hebrew or Arabic name moved the line's first words
  // before it ("123 :שלום 원 주면 팔게요"), and a player could make their line read otherwise than they said it.
  const name = document.createElement("b");
  name.append(isolated(line.name));
  item.append(name, ": ", isolated(line.text));
  if (reportable) item.append(reportButton(line));
  return item;
}

/** What parts the names of a join or leave line's `name` (rooms/players/presence-lines.ts). */
const NAMES_PARTED = ", ";

const isolated = (text: string) => Object.assign(document.createElement("bdi"), { textContent: text });

/** The button on another player's line that reports them to the moderators. */
function reportButton(line: ShownLine): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "report";
  button.dataset.player = line.from;
  button.dataset.name = line.name;
  button.textContent = "신고";
  // Named with whom it reports: a screen reader going through the lines heard only "신고" on each.
  button.setAttribute("aria-label", `${line.name} 님 신고`);
  button.title = `${line.name} 님을 운영자에게 신고`;
  return button;
}
