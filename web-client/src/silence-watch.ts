import { CloseCode, type Room } from "@colyseus/sdk";

import { OPENING_GIVEN_UP_SECONDS } from "../../rooms/world-protocol.js";

/** How often the watch looks: a second's lateness on top of the silence allowed. */
const LOOK_EVERY_MS = 1000;

/**
 * Takes `room`'s connection for dead once nothing has come on it for `silentMs` while it is open, and closes it as the
 * SDK does when the browser goes offline (MAY_TRY_RECONNECT: its close is seen at once, not after a closing handshake
 * that a dead network never finishes), so the SDK resumes the room on a new socket, as after any drop. The server sends
 * its clock at least once a second, so silence means the network, or a server too stalled to serve anyway. A try to
 * resume whose socket is still connecting after OPENING_GIVEN_UP_SECONDS is closed so too, and the SDK tries again. Stops when
 * the room is left; returns a function that stops it sooner.
 */
export function watchSilence(room: Room<any, any>, silentMs: number, now = () => performance.now()): () => void {
  let heard = now();
  const hear = () => void (heard = now());
  room.onStateChange(hear);
  const unhearMessages = room.onMessage("*", hear);
  /** The SDK's socket seen connecting, and since when. */
  let dialing: { socket: WebSocket; since: number } | undefined;
  const timer = setInterval(() => {
    if (!room.connection?.isOpen) {
      heard = now(); // the silence counts from the new socket
      // The SDK's own socket (not in its types): connecting, or closed while the SDK waits to try again.
      const socket = (room.connection?.transport as { ws?: WebSocket } | undefined)?.ws;
      if (socket?.readyState !== WebSocket.CONNECTING) return void (dialing = undefined);
      if (dialing?.socket !== socket) return void (dialing = { socket, since: now() });
      if (now() - dialing.since < OPENING_GIVEN_UP_SECONDS * 1000) return;
      dialing = undefined;
      console.warn(`no connection after ${OPENING_GIVEN_UP_SECONDS} s: trying again`);
      return room.connection.close(CloseCode.MAY_TRY_RECONNECT, "no answer");
    }
    if (now() - heard < silentMs) return;
    heard = now();
    console.warn(`nothing from the server for ${silentMs / 1000} s: resuming the connection`);
    room.connection.close(CloseCode.MAY_TRY_RECONNECT, "silent");
  }, LOOK_EVERY_MS);
  // Left, the room drops its listeners itself (and its signals, asked to remove one not there, take out another).
  room.onLeave(() => clearInterval(timer));
  return () => {
    clearInterval(timer);
    room.onStateChange.remove(hear);
    unhearMessages();
  };
}
