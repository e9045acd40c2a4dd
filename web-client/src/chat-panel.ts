import type { Room } from "@colyseus/sdk";

import type { WorldState } from "../../rooms/world-state.js";
import { CHAT_MAX_CHARS, type ChatPayload, type WorldError } from "../../rooms/world-protocol.js";

/** The chat history (the room's last lines), the input box, and error messages from the server. */
export class ChatPanel {
  private shownKey = "";

  constructor(
    private readonly history: HTMLOListElement,
    private readonly form: HTMLFormElement,
    private readonly text: HTMLInputElement,
    private readonly toNpc: HTMLInputElement,
    private readonly toast: HTMLElement,
    private readonly room: () => Room<any, WorldState> | undefined,
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
    setInterval(() => this.render(), 100);
  }

  enable(on: boolean): void {
    this.text.disabled = !on;
    this.form.querySelector("button")!.disabled = !on;
  }

  showError(error: WorldError): void {
    this.toast.textContent = error.message;
    this.toast.dataset.code = error.code;
    setTimeout(() => {
      if (this.toast.textContent === error.message) this.toast.textContent = "";
    }, 5000);
  }

  private send(): void {
    const room = this.room();
    const text = this.text.value.trim();
    if (!room || text === "") return;
    const message: ChatPayload = this.toNpc.checked ? { text, to: "kobot" } : { text };
    room.send("chat", message);
    this.text.value = "";
  }

  /** Redraws the list only when the room's lines changed. */
  private render(): void {
    const chat = this.room()?.state?.chat;
    if (!chat) return;
    const lines = [...chat];
    const key = lines.map((line) => line.id).join(",");
    if (key === this.shownKey) return;
    this.shownKey = key;
    const atBottom = this.history.scrollTop + this.history.clientHeight >= this.history.scrollHeight - 4;
    this.history.replaceChildren(
      ...lines.map((line) => {
        const item = document.createElement("li");
        item.className = line.kind;
        item.dataset.id = line.id;
        if (line.kind === "system") {
          item.textContent = line.text;
        } else {
          const name = document.createElement("b");
          name.textContent = line.name;
          item.append(name, ": ", line.text);
        }
        return item;
      }),
    );
    if (atBottom) this.history.scrollTop = this.history.scrollHeight;
  }
}
