/**
 * The smallest client: join the world, ask the NPC, print its answer, leave.
 *
 *   npx tsx examples/ask-npc.ts ws://localhost:2567 "배고파" [NPC id or name; default kobot]
 * It asks from where players come in (0, 0, 0) without walking: an NPC whose talk radius reaches there (the village's
 * 코봇; 한스 says `too_far`).
 */
import "../common/node-websocket.js"; // before the SDK
import { Client } from "@colyseus/sdk";

import { PRIVATE_LINE, type PrivateLineMessage, type WorldError } from "../rooms/world-protocol.js";
import type { WorldState } from "../rooms/world-state.js";

const [url = "ws://localhost:2567", question = "안녕?", npc = "kobot"] = process.argv.slice(2);

const room = await new Client(url).joinOrCreate<WorldState>("world", { name: "손님" });
room.onMessage("error", (error: WorldError) => {
  console.error(`error ${error.code}: ${error.message}`);
  // A fallback line still answers (npc_timeout, npc_unavailable); any other error refused the question (moderated,
  // too_far, rate_limited …): no answer will come.
  const answerFollows = (error.code === "npc_timeout" || error.code === "npc_unavailable") && error.text === undefined;
  if (!answerFollows) void room.leave().then(() => process.exit(1));
});

/** Lines told to this player alone: all the talk with an NPC that talks in private (`privateTalk`) comes so. */
const toldMe: PrivateLineMessage[] = [];
let answered = false; // a patch after the answer must not print it again while the room is left
const printAnswer = () => {
  const heard = [...(room.state.chat ?? []), ...toldMe];
  const asked = heard.find((line) => line.from === room.sessionId && line.kind === "player");
  const answer = asked && heard.find((line) => line.replyTo === asked.id);
  if (answer && !answered) {
    answered = true;
    console.log(`${answer.name}: ${answer.text}`);
    void room.leave().then(() => process.exit(0));
  }
};
room.onMessage(PRIVATE_LINE, (line: PrivateLineMessage) => {
  toldMe.push(line);
  printAnswer();
});
room.onStateChange(printAnswer);

room.send("chat", { text: question, to: npc }); // or { text: `@${npc} ${question}` }
