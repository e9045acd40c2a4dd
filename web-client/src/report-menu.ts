import type { ReportPayload } from "../../rooms/world-protocol.js";
import { element } from "./table.js";

/** Why a player reports another: the reasons the menu offers, as the moderators will read them. */
export const REPORT_REASONS = ["욕설·비하", "도배", "사칭", "불쾌한 말", "기타"] as const;

/** Keys that move the focus between the menu's buttons, and where to: from the focused one's place, among `count`. */
const MOVES: Record<string, (at: number, count: number) => number> = {
  ArrowDown: (at, count) => (at + 1) % count,
  ArrowUp: (at, count) => (at - 1 + count) % count,
  Home: () => 0,
  End: (_, count) => count - 1,
};

/**
 * The menu a report button opens beside it: the player picks why (or cancels), and the report goes with that reason.
 * It lives outside the chat history, whose oldest lines are dropped as new ones come, so a choice half made is not lost.
 *
 * A labelled group of buttons (index.html), not an ARIA menu: Tab goes from reason to reason as on the rest of the page,
 * and the arrows do too. Closed, it gives the focus back to the report button that opened it (it went to the page,
 * where the next Tab started from the top); focus leaving it closes it.
 */
export class ReportMenu {
  private player = "";
  /** The report button that opened the menu. */
  private anchor: HTMLElement | undefined;

  constructor(
    private readonly menu: HTMLElement,
    private readonly send: (report: ReportPayload) => void,
  ) {
    const title = document.createElement("p");
    title.id = "report-menu-title";
    const reasons = REPORT_REASONS.map((reason) => {
      const choice = document.createElement("button");
      choice.type = "button";
      choice.textContent = reason;
      choice.dataset.reason = reason;
      return choice;
    });
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "취소";
    cancel.className = "cancel";
    menu.replaceChildren(title, ...reasons, cancel);
    const buttons = [...reasons, cancel];
    menu.addEventListener("click", (event) => {
      const choice = (event.target as HTMLElement).closest("button");
      if (!choice) return;
      if (choice.dataset.reason) this.send({ player: this.player, reason: choice.dataset.reason });
      this.close();
    });
    menu.addEventListener("keydown", (event) => {
      const move = MOVES[event.key];
      if (!move) return;
      buttons[move(buttons.indexOf(document.activeElement as HTMLButtonElement), buttons.length)]!.focus();
      event.preventDefault(); // the page does not scroll
    });
    // Tabbed or clicked out of: closed, not left open over the history. Checked once the focus has landed, and not when
    // the whole window lost it (another window, another tab): the menu is there when the player comes back.
    menu.addEventListener("focusout", () => setTimeout(() => document.hasFocus() && !menu.contains(document.activeElement) && this.close()));
    addEventListener("keydown", (event) => event.key === "Escape" && this.close());
    addEventListener("pointerdown", (event) => !menu.contains(event.target as Node) && this.close());
  }

  /** Opens the menu for reporting `player` (shown as `name`) below `anchor`, or above it where below is off the window. */
  open(player: string, name: string, anchor: HTMLElement): void {
    this.player = player;
    this.anchor = anchor;
    // The name isolated from the words after it: a right-to-left name took "님을" to its side, as on the history's lines.
    this.menu.querySelector("p")!.replaceChildren(element("bdi", name), " 님을 신고하는 까닭");
    const { left, top, bottom } = anchor.getBoundingClientRect();
    this.menu.hidden = false;
    // Inside the window: from a button at the right edge of a phone it ran off the screen, and from the newest line
    // at its bottom five of six reasons were below it, where a drag to reach them, a touch outside the menu, closed it.
    const { clientWidth, clientHeight } = document.documentElement;
    const x = Math.max(0, Math.min(left, clientWidth - this.menu.offsetWidth - 4));
    const height = this.menu.offsetHeight;
    const y = bottom + 4 + height <= clientHeight ? bottom + 4 : Math.max(0, top - 4 - height);
    this.menu.style.left = `${x + scrollX}px`;
    this.menu.style.top = `${y + scrollY}px`;
    this.menu.querySelector<HTMLButtonElement>("button")!.focus();
  }

  close(): void {
    if (this.menu.hidden) return;
    const hadFocus = this.menu.contains(document.activeElement);
    this.menu.hidden = true;
    // Back where the player was (Escape, a reason, 취소); not taken from where they clicked or tabbed to.
    if (hadFocus) this.anchor?.focus();
  }
}
