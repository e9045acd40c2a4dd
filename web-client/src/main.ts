import type { Room } from "@colyseus/sdk";

import { type NpcActionNotice, SAID, type SaidNotice } from "../../rooms/world-protocol.js";
import type { WorldState } from "../../rooms/world-state.js";
import { ChatPanel } from "./chat-panel.js";
import { type ConnectionStatus, joinWorld } from "./connection.js";
import { actionWords } from "./error-words.js";
import { MovementInput } from "./movement-input.js";
import { ReportMenu } from "./report-menu.js";
import { SeenIds } from "./seen-ids.js";
import { tokenName } from "./token-name.js";
import { WorldView } from "./world-view.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let room: Room<any, WorldState> | undefined;
const current = () => room;
/** Every session this page has had: a rejoin is a new one, and the player's earlier lines and avatar are still theirs. */
const mySessions = new Set<string>();
/** The lines whose NPC action was shown: a notice sent again after a silent drop is shown once. */
const actedOn = new SeenIds();

const view = new WorldView($<HTMLCanvasElement>("world"), current, mySessions);
const movement = new MovementInput(current);
const reportMenu = new ReportMenu($("report-menu"), (report) => room?.send("report", report));
const chat = new ChatPanel($("history"), $("new-lines"), $("chat"), $("text"), $("to-npc"), $("toast"), $("earlier-notices"), current, mySessions, (player, name, anchor) =>
  reportMenu.open(player, name, anchor),
);
const status = $("status");

// A click (a tap) on an NPC chooses it and walks up to it; elsewhere, walks there.
$<HTMLCanvasElement>("world").addEventListener("click", (event) => {
  const npcId = view.npcAt(event.clientX, event.clientY);
  if (npcId !== undefined && chat.chooseNpc(npcId)) return movement.approach(npcId);
  const { x, z } = view.toWorld(event.clientX, event.clientY);
  movement.walkTo(x, z);
});

// `#token=…`: the game's sign-in token, in the fragment so that no server log or Referer carries it, and taken out of
// the address bar so that a copied link does not hand the account over.
const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? undefined;
if (token) history.replaceState(null, "", location.pathname + location.search);

const labels: Record<ConnectionStatus, string> = { offline: "연결 끊김", joining: "입장 중…", online: "접속 중", reconnecting: "다시 연결 중…" };
const nameInput = $<HTMLInputElement>("name");
nameInput.value = localStorage.getItem("kobot-name") ?? "";

/** Says `state` (#status is a live region); the same words are not written again, which would read them out again. */
function showStatus(state: ConnectionStatus): void {
  if (status.textContent !== labels[state]) status.textContent = labels[state];
  status.className = `status ${state === "online" ? "online" : "offline"}`;
}

$<HTMLFormElement>("join").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  // Joined from the form, the player goes on in the chat box (the form, hidden, took the focus with it). Not when the
  // page joins by itself (`?name=`): the walking keys would type into the box.
  let focusChat = $<HTMLFormElement>("join").contains(document.activeElement);
  /** In a room since this join: until the page is in one again, each try's state is the one "다시 연결 중…". */
  let wasOnline = false;
  $<HTMLFormElement>("join").hidden = true;
  void joinWorld({
    name,
    token,
    onStatus: (state) => {
      if (state === "online") wasOnline = true;
      // Each retry went "입장 중…", "연결 끊김", and a screen reader read both out every few seconds.
      showStatus(wasOnline && state !== "online" ? "reconnecting" : state);
      chat.setAccess(state === "online" ? "open" : wasOnline ? "held" : "closed");
      // Out of the room (put out, banned, a failed resume): its world is no longer this player's to see or report from.
      if (state === "offline") {
        chat.showLastLines();
        room = undefined;
        reportMenu.close();
      }
      if (state === "online" && focusChat) {
        focusChat = false;
        $("text").focus();
      }
    },
    onError: (error) => chat.showError(error),
    onPrivateLine: (line) => {
      chat.showPrivateLine(line);
      view.heardPrivately(line);
    },
    onRoom: (joined) => {
      room = joined;
      mySessions.add(joined.sessionId);
      // A game does what an NPC's line says (opens its shop); this client shows which action came.
      joined.onMessage("npc_action", ({ npcId, action, lineId }: NpcActionNotice) => {
        // Once a line: one sent again after a drop the server had not noticed may come twice (docs/client-contract.md).
        if (!actedOn.add(lineId)) return;
        chat.showNotice(actionWords(joined.state?.npcs?.get(npcId)?.name ?? npcId, action), "npc_action");
      });
      joined.onMessage(SAID, (notice: SaidNotice) => chat.said(notice));
      localStorage.setItem("kobot-name", name); // a name the server took, offered again next time
      // For tests and the curious: the live room in the console.
      (window as unknown as { kobot: unknown }).kobot = { room: joined };
    },
    onJoinFailed: (words, retrying, joinHere) => {
      chat.showNotice(words, retrying ? "join_retrying" : "join_refused", true);
      if (!retrying) {
        // This attempt is over (put out, banned, a name refused): out of the room until the player joins again.
        wasOnline = false;
        showStatus("offline");
        chat.setAccess("closed");
      }
      if (retrying || !joinHere) return;
      $<HTMLFormElement>("join").hidden = false; // another name, then join again
      nameInput.focus();
    },
    onReported: ({ name }) => chat.showNotice(`${name} 님을 신고했어요. 운영자가 살펴볼 거예요.`, "reported"),
    onMessageTooBig: () => chat.messageTooBig(),
  });
});

// `?name=…` joins at once (links shared with friends, browser tests), and so does a signed-in player whose token
// names them: the name form asked for a name the server would not use.
const preset = new URLSearchParams(location.search).get("name") ?? (token ? tokenName(token) : undefined) ?? null;
if (preset !== null) {
  nameInput.value = preset;
  $<HTMLFormElement>("join").requestSubmit();
}
