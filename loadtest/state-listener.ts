import type { Room } from "@colyseus/sdk";

/**
 * Listens to a room's state changes until `stop()`; `stop()` may be called from the listener and more than once.
 * Both are for two bugs of the SDK's signal (0.18): a remove() during a dispatch moves the last listener into the
 * removed one's place, which that dispatch has passed (it hears nothing until the next patch), so the removal waits
 * for the dispatch's end; and a remove() of a listener already gone takes out the last one (two patches read from
 * one socket chunk come in one task), so it is done once.
 */
export function listenToState<State>(room: Pick<Room<any, State>, "onStateChange">, listener: (state: State) => void): () => void {
  let listening = true;
  const heard = (state: State) => {
    if (listening) listener(state);
  };
  room.onStateChange(heard);
  return () => {
    if (!listening) return;
    listening = false;
    queueMicrotask(() => room.onStateChange.remove(heard));
  };
}
