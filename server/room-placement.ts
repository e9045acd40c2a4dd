import { matchMaker, ServerError } from "@colyseus/core";

/**
 * Where matchmaking makes a new room on servers sharing Redis: the process with the fewest rooms, as Colyseus does,
 * among those under MAX_ROOMS (the fleet's processes run with the same settings). With every one at its cap the join
 * is refused here, 503. Colyseus's own choice made the room on a full process too, whose refusal came back over Redis
 * without its status: every room full answered 523, which clients do not word as "full, try again".
 *
 * A process's room count in Redis can be up to a second old: a room made on it in that second is refused there
 * (523) as before.
 */
export function roomPlacement(maxRooms: number): matchMaker.SelectProcessIdCallback {
  return async () => {
    const processes = await matchMaker.stats.fetchAll();
    // Not listed (a Redis restarted empty lists each process again within seconds): this one, by its own count.
    if (!processes.some(({ processId }) => processId === matchMaker.processId)) processes.push({ processId: matchMaker.processId, ...matchMaker.stats.local });
    const open = processes.filter(({ roomCount }) => roomCount < maxRooms);
    if (open.length === 0) {
      throw new ServerError(503, `every server holds its most rooms (MAX_ROOMS ${maxRooms}): join a room that has space, or try again later`);
    }
    return open.reduce((fewest, process) => (process.roomCount < fewest.roomCount ? process : fewest)).processId;
  };
}
