import { Client, type Room } from "@colyseus/sdk";

import type { WorldState } from "../../rooms/world-state.js";
import {
  BANNED_CLOSE,
  DROP_NOTICED_SECONDS,
  JOIN_ANSWERED_SECONDS,
  KICKED_CLOSE,
  MESSAGE_TOO_BIG_CLOSE,
  PRIVATE_LINE,
  type PrivateLineMessage,
  RECONNECT_SECONDS,
  type ReportedNotice,
  SILENCE_NOTICED_SECONDS,
  WORLD_ROOM,
  type WorldError,
} from "../../rooms/world-protocol.js";
import { joinFailureWords, nameRefusalOf } from "./error-words.js";
import { retriesWithin } from "./reconnect-retries.js";
import { SeenIds } from "./seen-ids.js";
import { watchSilence } from "./silence-watch.js";

export type ConnectionStatus = "offline" | "joining" | "online" | "reconnecting";

/** Who joins, and what the page hears of the connection. */
export interface JoinWorldOptions {
  name: string;
  /** The game's sign-in token, for a server that takes only signed-in players (AUTH_SECRET); undefined: none. */
  token: string | undefined;
  onStatus: (status: ConnectionStatus) => void;
  onError: (error: WorldError) => void;
  /** A line of the player's talk in private with an NPC: sent to them alone, never in the room's chat. */
  onPrivateLine: (line: PrivateLineMessage) => void;
  onRoom: (room: Room<any, WorldState>) => void;
  /**
   * A join failed: why, in Korean; `retrying` false when joining as is cannot work (a name the server refuses);
   * `joinHere` false when joining again from this page cannot work either (signing in again in the game can).
   */
  onJoinFailed: (words: string, retrying: boolean, joinHere: boolean) => void;
  /** The player's report of another reached the moderators. */
  onReported: (notice: ReportedNotice) => void;
  /** The server closed the socket for a message past its cap (MESSAGE_TOO_BIG_CLOSE), before the page joins again. */
  onMessageTooBig: () => void;
}

/** The room `joining` brings, or a failure without a code (no answer) after `ms`; a room that comes later is left. */
function answered(joining: Promise<Room<any, WorldState>>, ms: number): Promise<Room<any, WorldState>> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`no answer within ${ms / 1000} s`));
    }, ms);
    joining.then(
      (room) => {
        if (late) return void room.leave(); // given up on: not a second avatar beside the next try's
        clearTimeout(timer);
        resolve(room);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The close or error code the server answered with; undefined: no answer at all. */
function codeOf(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

/**
 * Joins the world on the server that served the page. A dropped connection is resumed by the
 * SDK (the room keeps the player's place for a while); where the SDK gives up, this resumes every
 * 2 s while no answer comes and the place may still be kept, then joins again.
 */
export async function joinWorld(options: JoinWorldOptions): Promise<void> {
  await new WorldConnection(options).join();
}

/** One attempt to be in the world, from the form until the player is put out, banned or refused. */
class WorldConnection {
  private readonly client: Client;
  /** The room this attempt is in; a room that is not (left as the page hid, or replaced) is no longer heard. */
  private current: Room<any, WorldState> | undefined;
  /** Stops watching the current room's connection for silence: a room left on a dead network is not resumed. */
  private stopWatching = () => {};
  /** The page hid and left its room: joined again if the browser brings it back (back/forward cache). */
  private hidden = false;
  /** This attempt is over (put out, banned, a name refused): the player's next one starts from the form. */
  private over = false;
  /**
   * The errors heard, by id: one the socket never confirmed comes again after a reconnection, and taken again it
   * refused a line sent since with the same words (a second `rate_limited`), which was then never sent again.
   */
  private readonly errorsHeard = new SeenIds();

  constructor(private readonly options: JoinWorldOptions) {
    const protocol = location.protocol === "https:" ? "wss" : "ws";
    this.client = new Client(`${protocol}://${location.host}`);
    if (options.token) this.client.auth.token = options.token; // sent as Authorization: Bearer with every join
    addEventListener("pagehide", this.onHide);
    addEventListener("pageshow", this.onShow);
  }

  // A closed tab leaves at once; without this its avatar stayed 20 s, "away", waiting for a reconnection.
  private readonly onHide = () => {
    this.hidden = true;
    const room = this.current;
    this.current = undefined;
    this.stopWatching();
    void room?.leave();
  };

  // A page the browser kept as it hid comes back with its room left: joined again. It stayed "연결 끊김", the chat off
  // and no form to join with, until reloaded. Only this once: the old room's close, late after the page thawed, joined
  // it a second time, and every attempt before (a kick, a refused name) kept its listeners and joined again too.
  private readonly onShow = (event: PageTransitionEvent) => {
    if (!event.persisted || !this.hidden || this.over) return;
    this.hidden = false;
    void this.join();
  };

  private end(): void {
    this.over = true;
    removeEventListener("pagehide", this.onHide);
    removeEventListener("pageshow", this.onShow);
  }

  /** Later, unless the attempt is over or the page hid meanwhile (its return joins again). */
  private later(ms: number, then: () => void): void {
    setTimeout(() => !this.over && !this.hidden && then(), ms);
  }

  /**
   * Banned by a moderator: joining again is refused until the ban ends. Put out: joining again is the player's choice.
   * Either ends the attempt, offline; returns whether `code` said so.
   */
  private putOut(code: number | undefined): boolean {
    if (code !== BANNED_CLOSE && code !== KICKED_CLOSE) return false;
    this.end();
    this.options.onStatus("offline");
    this.options.onJoinFailed(joinFailureWords(code).words, false, true);
    return true;
  }

  async join(attempt = 0): Promise<void> {
    const { name, onStatus, onJoinFailed } = this.options;
    onStatus("joining");
    try {
      // No name: the server gives one (손님-xxxx); an empty one it refuses.
      const room = await answered(this.client.joinOrCreate<WorldState>(WORLD_ROOM, name ? { name } : {}), JOIN_ANSWERED_SECONDS * 1000);
      // The page hid while joining: the room it got is left, and joined again if the page comes back.
      if (this.hidden || this.over) return void room.leave();
      this.enter(room);
    } catch (error) {
      onStatus("offline");
      const code = codeOf(error);
      // Signed in with a token that names the player: the account's name was refused, and no name typed here can help.
      const { signedIn: accountName, nameTaken } = nameRefusalOf(code, (error as Error).message);
      const { words, retry } = joinFailureWords(code, accountName, nameTaken);
      console.warn("could not join:", (error as Error).message); // the server's own words, for developers
      // 401 needs the game's sign-in.
      if (!retry) this.end();
      onJoinFailed(words, retry, code !== 401 && !accountName);
      if (retry) this.later(Math.min(10_000, 1000 * 2 ** attempt), () => void this.join(attempt + 1));
    }
  }

  // The SDK does not resume a room joined less than 5 s before the drop (its guard against reconnection loops),
  // but the room holds the place 20 s all the same: without this a second avatar of the player stood there.
  private async resume(token: string, keptUntil: number): Promise<void> {
    this.options.onStatus("reconnecting");
    try {
      this.enter(await answered(this.client.reconnect<WorldState>(token), JOIN_ANSWERED_SECONDS * 1000));
    } catch (error) {
      // Put out or banned while away: the room says so as the place is taken back, and the player is not joined
      // again behind the moderator's back (the kick was undone, and never shown).
      const code = codeOf(error);
      if (this.putOut(code)) return;
      // No answer at all (the network still down): the place may be kept a while yet, and a join once it is back
      // would stand a second avatar of the player beside it. Any answer (the place gone, a server restarted): join.
      if (typeof code !== "number" && Date.now() < keptUntil) {
        this.options.onJoinFailed(joinFailureWords(undefined).words, true, true);
        return void this.later(2000, () => void this.resume(token, keptUntil));
      }
      await this.join();
    }
  }

  private enter(room: Room<any, WorldState>): void {
    const { onStatus, onError, onPrivateLine, onRoom, onReported } = this.options;
    this.current = room;
    // Retries only while the room keeps the place: then the page joins again (left), on a server that is up.
    room.reconnection.maxRetries = retriesWithin(RECONNECT_SECONDS * 1000, room.reconnection);
    room.onMessage("error", (error: WorldError) => {
      if (error.id === undefined || this.errorsHeard.add(error.id)) onError(error);
    });
    room.onMessage(PRIVATE_LINE, onPrivateLine);
    room.onMessage("reported", onReported);
    this.stopWatching = watchSilence(room, SILENCE_NOTICED_SECONDS * 1000);
    /** When this page saw its connection drop (undefined: it is up). */
    let droppedAt: number | undefined;
    room.onDrop(() => {
      droppedAt ??= Date.now();
      onStatus("reconnecting");
    });
    room.onReconnect(() => {
      droppedAt = undefined;
      onStatus("online");
    });
    room.onLeave((code: number) => this.left(room, code, droppedAt));
    onRoom(room);
    onStatus("online");
  }

  /** `room` closed with `code`, its connection seen dropping at `droppedAt` (undefined: not seen). */
  private left(room: Room<any, WorldState>, code: number, droppedAt: number | undefined): void {
    if (room !== this.current) return;
    this.current = undefined;
    if (this.putOut(code)) return;
    this.options.onStatus("offline");
    // A message past the server's cap: said, not left to look like a dropped connection; joined again below.
    if (code === MESSAGE_TOO_BIG_CLOSE) {
      this.options.onMessageTooBig();
      this.options.onJoinFailed(joinFailureWords(code).words, true, true);
    }
    // Not a leave the page asked for (those it stops hearing first), 4000 included: a room the server closes
    // (disposed from the monitor) says 4000 too, and its players join again rather than sit in no room.
    // The room keeps the place RECONNECT_SECONDS from when the server notices the drop, which can be later.
    const keptUntil = (droppedAt ?? Date.now()) + (RECONNECT_SECONDS + DROP_NOTICED_SECONDS) * 1000;
    this.later(1000, () => void this.resume(room.reconnectionToken, keptUntil));
  }
}
