import { CloseCode, type Room } from "@colyseus/sdk";

/** How often the watch looks: a second's lateness on top of the silence allowed. */
const LOOK_EVERY_MS = 1000;

/**
 * Takes `room`'s connection for dead once nothing has come on it for `silentMs` while it is open, and closes it as the
 * SDK does when the browser goes offline (MAY_TRY_RECONNECT: its close is seen at once, not after a closing handshake
 * that a dead network never finishes), so the SDK resumes the room on a new socket, as after any drop. The server sends
 * its clock at least once a second, so silence means the network, or a server too stalled to serve anyway. Stops when
 * the room is left; returns a function that stops it sooner.
 */
export function watchSilence(room: Room<any, any>, silentMs: number, now = () => performance.now()): () => void {
  let heard = now();
  const hear = () => void (heard = now());
  room.onStateChange(hear);
  const unhearMessages = room.onMessage("*", hear);
  const timer = setInterval(() => {
    // Not open: the SDK is resuming it; the silence counts from the new socket.
    if (!room.connection?.isOpen) return void (heard = now());
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
