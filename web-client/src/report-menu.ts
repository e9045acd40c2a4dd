import type { ReportPayload } from "../../rooms/world-protocol.js";

/** Why a player reports another: the reasons the menu offers, as the moderators will read them. */
export const REPORT_REASONS = ["욕설·비하", "도배", "사칭", "불쾌한 말", "기타"] as const;

/**
 * The menu a report button opens beside it: the player picks why (or cancels), and the report goes with that reason.
 * It lives outside the chat history, whose oldest lines are dropped as new ones come, so a choice half made is not lost.
 */
export class ReportMenu {
  private player = "";

  constructor(
    private readonly menu: HTMLElement,
    private readonly send: (report: ReportPayload) => void,
  ) {
    const title = document.createElement("p");
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
    menu.addEventListener("click", (event) => {
      const choice = (event.target as HTMLElement).closest("button");
      if (!choice) return;
      if (choice.dataset.reason) this.send({ player: this.player, reason: choice.dataset.reason });
      this.close();
    });
    addEventListener("keydown", (event) => event.key === "Escape" && this.close());
    addEventListener("pointerdown", (event) => !menu.contains(event.target as Node) && this.close());
  }

  /** Opens the menu for reporting `player` (shown as `name`) below `anchor`. */
  open(player: string, name: string, anchor: HTMLElement): void {
    this.player = player;
    this.menu.querySelector("p")!.textContent = `${name} 님을 신고하는 까닭`;
    const { left, bottom } = anchor.getBoundingClientRect();
    this.menu.style.left = `${left + scrollX}px`;
    this.menu.style.top = `${bottom + scrollY + 4}px`;
    this.menu.hidden = false;
    this.menu.querySelector<HTMLButtonElement>("button")!.focus();
  }

  close(): void {
    this.menu.hidden = true;
  }
}
