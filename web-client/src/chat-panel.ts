import type { Room } from "@colyseus/sdk";

import type { ChatLine, WorldState } from "../../rooms/world-state.js";
import { CHAT_MAX_CHARS, type ChatPayload, type WorldError } from "../../rooms/world-protocol.js";
import { errorWords } from "./error-words.js";

/** Lines kept in the history: about an hour of a lively room's talk. */
const KEPT_LINES = 200;

type ShownLine = Pick<ChatLine, "id" | "kind" | "from" | "name" | "text" | "replyTo">;

/**
 * The chat history (the lines this player saw), the input box, who it goes to, and errors. Another player's line has
 * a button that reports them to the moderators (the server files it with their last lines).
 */
export class ChatPanel {
  private shownKey = "";
  private npcsKey = "";
  /**
   * Every line seen, oldest first, kept here: the room keeps its last lines for everyone, and with a hearing range
   * far players' talk pushed the lines this player heard out of it (60 far lines emptied a history of 6).
   */
  private readonly seen = new Map<string, ShownLine>();

  constructor(
    private readonly history: HTMLOListElement,
    private readonly form: HTMLFormElement,
    private readonly text: HTMLInputElement,
    private readonly toNpc: HTMLSelectElement,
    private readonly toast: HTMLElement,
    private readonly room: () => Room<any, WorldState> | undefined,
    /** The player asks to report another (the report button on their line, `anchor`). */
    private readonly onReport: (player: string, name: string, anchor: HTMLElement) => void,
  ) {
    text.maxLength = CHAT_MAX_CHARS;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    addEventListener("keydown", (event) => {
      if (event.key === "Enter" && document.activeElement !== text && !text.disabled) {
        text.focus();
        event.preventDefault();
      }
    });
    history.addEventListener("click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button.report");
      const { player, name } = button?.dataset ?? {};
      if (button && player && name) this.onReport(player, name, button);
    });
    setInterval(() => this.render(), 100);
  }

  enable(on: boolean): void {
    this.text.disabled = !on;
    this.form.querySelector("button")!.disabled = !on;
  }

  /** The error in Korean; a refused line comes back into the input box, unless the player is typing another. */
  showError(error: WorldError): void {
    if (error.text && this.text.value === "") this.text.value = error.text;
    this.showNotice(errorWords(error, (npcId) => this.room()?.state?.npcs?.get(npcId)?.name), error.code);
  }

  /** A line for the player under the chat for 5 s; `code` names it for tests and styles. */
  showNotice(text: string, code: string): void {
    this.toast.textContent = text;
    this.toast.dataset.code = code;
    setTimeout(() => {
      if (this.toast.textContent === text) this.toast.textContent = "";
    }, 5000);
  }

  private send(): void {
    const room = this.room();
    const text = this.text.value.trim();
    if (!room || text === "") return;
    const message: ChatPayload = this.toNpc.value ? { text, to: this.toNpc.value } : { text };
    room.send("chat", message);
    this.text.value = "";
  }

  /** The NPCs of the room as choices of whom to speak to, with what they are doing, and whether only you hear your talk. */
  private renderNpcs(): void {
    const npcs = this.room()?.state?.npcs;
    if (!npcs) return;
    const choices = [...npcs.entries()].map(([id, npc]) => {
      const name = npc.privateTalk ? `${npc.name} (귓속말)` : npc.name;
      return [id, npc.status === "thinking" ? `${name} (생각 중…)` : name] as const;
    });
    const key = JSON.stringify(choices);
    if (key === this.npcsKey) return;
    this.npcsKey = key;
    const chosen = this.toNpc.value;
    this.toNpc.replaceChildren(
      new Option("모두에게", ""),
      ...choices.map(([id, label]) => new Option(label, id, false, id === chosen)),
    );
  }

  /** Redraws the list only when a line came. */
  private render(): void {
    this.renderNpcs();
    const chat = this.room()?.state?.chat;
    if (!chat) return;
    for (const { id, kind, from, name, text, replyTo } of chat) if (!this.seen.has(id)) this.seen.set(id, { id, kind, from, name, text, replyTo });
    // At least every line the room still holds (CHAT_HISTORY may be up to 1,000): one trimmed here while still there
    // came back as new at the next render, at the end, and the history went round and round.
    const kept = Math.max(KEPT_LINES, chat.length);
    for (const id of this.seen.keys()) {
      if (this.seen.size <= kept) break;
      this.seen.delete(id);
    }
    const lines = [...this.seen.values()];
    const key = `${lines.length}:${lines.at(-1)?.id}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    const atBottom = this.history.scrollTop + this.history.clientHeight >= this.history.scrollHeight - 4;
    const me = this.room()?.sessionId;
    this.history.replaceChildren(
      ...lines.map((line) => {
        const item = document.createElement("li");
        item.className = line.kind;
        item.dataset.id = line.id;
        if (line.replyTo) item.dataset.replyTo = line.replyTo;
        if (line.kind === "system") {
          item.textContent = line.text;
        } else {
          const name = document.createElement("b");
          name.textContent = line.name;
          item.append(name, ": ", line.text);
          if (line.kind === "player" && line.from !== me) item.append(reportButton(line));
        }
        return item;
      }),
    );
    if (atBottom) this.history.scrollTop = this.history.scrollHeight;
  }
}

/** The button on another player's line that reports them to the moderators. */
function reportButton(line: ShownLine): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "report";
  button.dataset.player = line.from;
  button.dataset.name = line.name;
  button.textContent = "신고";
  button.title = `${line.name} 님을 운영자에게 신고`;
  return button;
}
