import type { Room } from "@colyseus/sdk";

import { cleanText } from "../../common/clean-text.js";
import type { Player, WorldState } from "../../rooms/world-state.js";
import { CHAT_MAX_CHARS, type ChatPayload, type PrivateLineMessage, type SaidNotice, SEND_AGAIN_WITHIN_SECONDS, type WorldError } from "../../rooms/world-protocol.js";
import { ChatHistory } from "./chat-history.js";
import { errorWords, npcChosenWords, npcGoneWords, RECALL_HINT, sentAgainWords, WAITING_TO_SEND } from "./error-words.js";
import { LineRecall } from "./line-recall.js";
import { choicesKey, inReach, type NpcChoice, npcChoices } from "./npc-reach.js";
import { newSendId } from "./send-id.js";
import { UnconfirmedLines } from "./unconfirmed-lines.js";

/** Back in the room, how long the page waits before sending again what did not reach it: the room's lines and the errors it kept for the player come first. */
const SEND_AGAIN_AFTER_MS = 1000;
/** How long a notice stays under the chat. */
const NOTICE_MS = 5000;
/** Notices a newer one pushed down, still shown under it: two errors of one moment each said something. */
const EARLIER_NOTICES_KEPT = 2;

/**
 * What the player can do in the chat: `open` in a room; `held` while the connection is being taken back, when the box
 * keeps the focus and what is typed and only sending waits (disabled, it lost both); `closed` out of any room.
 */
export type ChatAccess = "open" | "held" | "closed";

/** The chat: its history, the input box, who a line goes to, and errors. */
export class ChatPanel {
  private readonly history: ChatHistory;
  private npcsKey = "";
  /** Each NPC's name as last listed, to say which one left. */
  private npcNames = new Map<string, string>();
  /** The NPC the player chose that has left the room (a world edit): nothing is sent until they choose again. */
  private gone: { id: string; name: string } | undefined;
  /** An `npc_changed` error's new id for the chosen NPC, chosen once the state lists it (the error can come first). */
  private changedTo: string | undefined;
  private toastTimer: ReturnType<typeof setTimeout> | undefined;
  /** The notice shown stays until the player is in a room again (a join failing, being retried), then its 5 s. */
  private noticeUntilOpen = false;
  private access: ChatAccess = "closed";
  /** Lines sent that the room has not yet shown or refused: those a dead socket took are sent again. */
  private readonly unconfirmed = new UnconfirmedLines();
  private sendAgainTimer: ReturnType<typeof setTimeout> | undefined;
  /** The player's recent lines, called back into the box with ↑ and ↓. */
  private readonly recall = new LineRecall();

  constructor(
    history: HTMLOListElement,
    /** The live region a screen reader reads new lines from. */
    newLines: HTMLElement,
    private readonly form: HTMLFormElement,
    private readonly text: HTMLInputElement,
    private readonly toNpc: HTMLSelectElement,
    private readonly toast: HTMLElement,
    /** Notices the newest one pushed down, each for 5 s more (not a live region: they were read out). */
    private readonly earlierNotices: HTMLElement,
    private readonly room: () => Room<any, WorldState> | undefined,
    /** Every session this page has had (main.ts). */
    private readonly mySessions: ReadonlySet<string>,
    /** The player asks to report another (the report button on their line, `anchor`). */
    onReport: (player: string, name: string, anchor: HTMLElement) => void,
  ) {
    this.history = new ChatHistory(history, newLines, mySessions, onReport);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
      // Sent with 보내기: the box keeps the focus, or a phone's keyboard closed after every line.
      if (!text.disabled) text.focus();
    });
    addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing || text.disabled) return;
      // Enter on a control is the control's: a report button or a reason in its menu is chosen, a form is sent.
      if (event.target instanceof Element && event.target.closest("button, select, input, textarea, a, [contenteditable], #report-menu")) return;
      text.focus();
      event.preventDefault();
    });
    // Out of the chat box, the keys walk again (WASD are letters in it).
    text.addEventListener("keydown", (event) => {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.key === "Escape") text.blur();
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      const line = event.key === "ArrowUp" ? this.recall.older({ text: text.value, to: this.toNpc.value }) : this.recall.newer();
      event.preventDefault(); // the caret would go to the start first
      if (line === undefined) return;
      text.value = line.text;
      text.setSelectionRange(line.text.length, line.text.length);
      // To whom it was said, where known and still here: a line for an NPC went to everyone, or to another NPC.
      if (line.to === "" || (line.to !== undefined && this.room()?.state?.npcs?.has(line.to))) {
        this.toNpc.value = line.to;
        this.renderNpcs();
      }
    });
    setInterval(() => this.render(), 100);
  }

  setAccess(access: ChatAccess): void {
    if (access === "open" && this.access === "held") this.sendAgainLater();
    this.access = access;
    this.text.disabled = access === "closed";
    // Held, the button stays focusable: a disabled one lost the focus of the player who had just pressed it.
    const sendButton = this.form.querySelector("button")!;
    sendButton.disabled = access === "closed";
    sendButton.setAttribute("aria-disabled", String(access !== "open"));
    this.history.showReportButtons(access === "open");
    // Back in a room: the notice about the connection gets its 5 s from now (not written again: it would be read out).
    if (access === "open" && this.noticeUntilOpen) this.clearNoticeLater();
  }

  /** The error in Korean; a refused line comes back into the input box, unless the player is typing another. */
  showError(error: WorldError): void {
    this.unconfirmed.refused(error);
    const words = errorWords(error, (npcId) => this.room()?.state?.npcs?.get(npcId)?.name);
    // Before the line is given back: to be chosen again, whether the player types another or not (Unity's too).
    if (error.code === "npc_changed" && error.npcId) this.chosenChanged(error.npcId);
    // The player is typing another: the refused line waits a ↑ away, and the notice says so.
    if (error.text && this.text.value !== "") {
      this.recall.add({ text: error.text, to: error.npcId }); // rate_limited does not say to whom
      return this.showNotice(`${words} ${RECALL_HINT}`, error.code);
    }
    if (error.text) {
      this.text.value = error.text;
      // …to the NPC it was said to, unless it calls one itself: a busy line waits its turn, and its error came seconds
      // later, the player since speaking to another NPC, to whom Enter sent the line.
      if (error.npcId && this.room()?.state?.npcs?.has(error.npcId) && !/^[@＠]/.test(error.text.trimStart())) {
        this.toNpc.value = error.npcId;
        this.renderNpcs();
      }
    }
    this.showNotice(words, error.code);
  }

  /**
   * `npc_changed`: an edit gave the NPC another id, and `npcId` is the NPC of its name now. Where the chosen NPC has that
   * name it is chosen (the same NPC to the player; it stayed chosen "(떠남)", every line held), now or once listed.
   */
  private chosenChanged(npcId: string): void {
    const chosen = this.toNpc.value;
    if (chosen === "" || chosen === npcId) return;
    if (!this.room()?.state?.npcs?.has(npcId)) {
      this.changedTo = npcId;
      return;
    }
    const name = (id: string) => this.room()?.state?.npcs?.get(id)?.name ?? this.npcNames.get(id) ?? this.gone?.name;
    if (name(chosen) !== name(npcId)) return;
    this.changedTo = undefined;
    this.gone = undefined;
    this.npcsKey = ""; // the list built again with it chosen: its option may not be there yet
    this.renderNpcs(npcId);
  }

  /**
   * A line for the player under the chat for 5 s; `code` names it for tests and styles. `untilOpen`: one about the
   * connection, kept until the player is in a room again (it went in 5 s, while the page still tried to join).
   */
  showNotice(text: string, code: string, untilOpen = false): void {
    // The same words about the connection are not written again: the alert was read out again at each retry.
    const same = this.toast.textContent === text && this.toast.dataset.code === code;
    if (!same && this.toast.textContent) this.keepEarlier(this.toast.textContent, this.toast.dataset.code ?? "");
    if (!(same && untilOpen)) {
      this.toast.textContent = text;
      this.toast.dataset.code = code;
    }
    clearTimeout(this.toastTimer);
    this.noticeUntilOpen = untilOpen && this.access !== "open";
    if (!this.noticeUntilOpen) this.clearNoticeLater();
  }

  /** Each notice its 5 s: the same error again (Enter pressed again on a line too far) was cleared by the first's timer. */
  private clearNoticeLater(): void {
    clearTimeout(this.toastTimer);
    this.noticeUntilOpen = false;
    this.toastTimer = setTimeout(() => (this.toast.textContent = ""), NOTICE_MS);
  }

  /**
   * A notice pushed down by a newer one stays under it 5 s more: npc_timeout then npc_busy came within milliseconds.
   * A connection notice too, though it was to stay until the page is back in a room: the status says so meanwhile.
   */
  private keepEarlier(text: string, code: string): void {
    const notice = Object.assign(document.createElement("p"), { textContent: text });
    notice.dataset.code = code;
    this.earlierNotices.prepend(notice);
    while (this.earlierNotices.childElementCount > EARLIER_NOTICES_KEPT) this.earlierNotices.lastElementChild!.remove();
    setTimeout(() => notice.remove(), NOTICE_MS);
  }

  private send(): void {
    const room = this.room();
    const text = this.text.value.trim();
    if (text === "") return;
    // The line stays in the box, to go once the player is back in the room.
    if (!room || this.access !== "open") return this.showNotice(WAITING_TO_SEND, "waiting_to_send", true);
    // The choice as it is now: one made since the last render (every 100 ms) has ended `gone` already.
    this.renderNpcs();
    // Not to everyone instead: a line meant for an NPC, in private perhaps, would be said to the whole room.
    if (this.gone) return this.showNotice(npcGoneWords(this.gone.name), "npc_gone");
    // Counted as the server counts, in characters once cleaned as it cleans (composed, invisible characters dropped,
    // spaces run together): the box's maxlength counted UTF-16 units (100 emoji were its 200) and cut a long paste
    // without a word, Hangul typed as jamo (macOS, iOS) is 3 code points a syllable, and a line with double spaces or
    // zero-width spaces pasted in was refused here where the server took it. The line stays in the box to be shortened.
    const said = cleanText(text);
    if ([...said].length > CHAT_MAX_CHARS) return this.showNotice(errorWords({ code: "chat_too_long", message: "" }, () => undefined), "chat_too_long");
    // Sent as measured, cleaned (the server cleans it anyway): "hi" + 9000 ideographic spaces + "there" is 8 characters
    // here but 27 KB raw, past the server's frame cap, which closed the socket (1009) at each sending.
    const message: ChatPayload = this.toNpc.value ? { text: said, to: this.toNpc.value } : { text: said };
    message.sendId = newSendId(); // sent again with it after a drop: the room says it once (unconfirmed-lines.ts)
    room.send("chat", message);
    this.unconfirmed.sent(message);
    this.recall.add({ text, to: this.toNpc.value });
    this.text.value = "";
  }

  /**
   * Back in the room after a drop: the lines it has not shown or refused by then went out on a socket that had died
   * unnoticed (the page heard nothing for SILENCE_NOTICED_SECONDS before it gave the socket up) and are sent again.
   */
  private sendAgainLater(): void {
    clearTimeout(this.sendAgainTimer);
    this.sendAgainTimer = setTimeout(() => {
      const room = this.room();
      // Dropped again meanwhile: the next return sends them.
      if (!room || this.access !== "open") return;
      this.render();
      // Still unconfirmed after this sending, as first sent: SEND_AGAIN_WITHIN_SECONDS counts from the player's Enter.
      const unsent = this.unconfirmed.unsentWithin(SEND_AGAIN_WITHIN_SECONDS * 1000);
      for (const message of unsent) room.send("chat", message);
      if (unsent.length > 0) this.showNotice(sentAgainWords(unsent.length), "sent_again");
    }, SEND_AGAIN_AFTER_MS);
  }

  /**
   * The server closed the socket for a message past its cap (MESSAGE_TOO_BIG_CLOSE): one of the lines unconfirmed
   * was it, and sent again on the return it closed the next socket too, and the next. None goes again by itself: each
   * is a ↑ away in the box (every line sent is), the player's to send again.
   */
  messageTooBig(): void {
    this.unconfirmed.clear();
  }

  /** The room's `said`: a line of the player's reached it, not to be sent again. */
  said(notice: SaidNotice): void {
    this.unconfirmed.said(notice);
  }

  /**
   * The NPCs of the room as choices of whom to speak to, with what they are doing, and whether only you hear your
   * talk, as the state has them now: `choose` chosen in the list, else what the player chose.
   */
  private renderNpcs(choose?: string): void {
    const room = this.room();
    const npcs = room?.state?.npcs;
    if (!room || !npcs) return;
    if (choose === undefined && this.changedTo && npcs.has(this.changedTo)) {
      const changedTo = this.changedTo;
      this.changedTo = undefined;
      return this.chosenChanged(changedTo);
    }
    const chosen = choose ?? this.toNpc.value;
    // The player chose again, or an edit brought the NPC back: it is theirs to speak to as before.
    if (this.gone && (chosen !== this.gone.id || npcs.has(this.gone.id))) this.gone = undefined;
    if (chosen && !this.gone && !npcs.has(chosen)) {
      this.gone = { id: chosen, name: this.npcNames.get(chosen) ?? chosen };
      this.showNotice(npcGoneWords(this.gone.name), "npc_gone");
    }
    this.npcNames = new Map([...npcs.entries()].map(([id, npc]) => [id, npc.name]));
    // Those the player can talk to now first: with a hundred NPCs, the one in front of them was somewhere in the list.
    const choices = npcChoices(npcs.entries(), this.me());
    const key = choicesKey(choices, this.gone);
    // Not under its open list: its highlighted row stays where it is as the rows change, and Enter chose the NPC an
    // arrival moved into that row. The next render after it closes catches up.
    if (key === this.npcsKey || listOpen(this.toNpc)) {
      if (choose !== undefined && choose !== this.toNpc.value) this.changedTo = choose; // chosen once the list closes
      return;
    }
    this.npcsKey = key;
    const option = ({ id, label }: NpcChoice) => new Option(label, id, false, id === chosen);
    const group = (label: string, of: NpcChoice[]) => {
      const element = Object.assign(document.createElement("optgroup"), { label });
      element.append(...of.map(option));
      return element;
    };
    // The NPC that left stays chosen, marked and not to be chosen again, until the player chooses another.
    const gone = this.gone && new Option(`${this.gone.name} (떠남)`, this.gone.id, false, true);
    if (gone) gone.disabled = true;
    this.toNpc.replaceChildren(
      new Option("모두에게", ""),
      ...[group("가까이", choices.near), group("멀리", choices.far)].filter((g) => g.childElementCount > 0),
      ...(gone ? [gone] : []),
    );
  }

  /**
   * The player chose `npcId` on the map: chosen in the list, and said as notices are (the alert a screen reader reads
   * out), in reach or to be walked up to. False if it is not in the room (any more).
   */
  chooseNpc(npcId: string): boolean {
    const npc = this.room()?.state?.npcs?.get(npcId);
    if (!npc) return false;
    this.toNpc.value = npcId;
    this.renderNpcs();
    const me = this.me();
    this.showNotice(npcChosenWords(npc.name, me !== undefined && inReach(me, npc)), "npc_chosen");
    return true;
  }

  /** The player's avatar as the room has it (the server measures reach from there), once the room has placed it. */
  private me(): Player | undefined {
    const room = this.room();
    return room?.state?.players?.get(room.sessionId);
  }

  /**
   * Draws the room's lines now: the last ones a closing room sends (its answers in flight, the NPC's closing line)
   * come with its close, and the room was let go before the next drawing, every 100 ms: they were never shown.
   */
  showLastLines(): void {
    const room = this.room();
    const added = this.history.update(room);
    this.unconfirmed.heard(added, (session) => this.mySessions.has(session));
  }

  /**
   * A line of the player's talk in private with an NPC, shown as it comes. The player's own question comes back so,
   * never in the room's chat: it is the echo that confirms the line sent (else it was sent again after a drop).
   */
  showPrivateLine(line: PrivateLineMessage): void {
    if (this.history.addPrivate(line)) this.unconfirmed.heard([line], (session) => this.mySessions.has(session));
  }

  private render(): void {
    this.renderNpcs();
    this.showLastLines();
  }
}

/** Whether the select's list is open (`:open`; a browser that does not know it is taken as closed, as before). */
function listOpen(select: HTMLSelectElement): boolean {
  return CSS.supports?.("selector(:open)") === true && select.matches(":open");
}
