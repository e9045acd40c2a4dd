/** A player's avatar as the world view draws it. */
export interface AvatarShown<P> {
  id: string;
  player: P;
}

/**
 * The players' avatars to draw: this page's own apart (drawn where the server has it, over the NPCs' bubbles: a player
 * spawns under the greeting's bubble, which hid their avatar for its 7 s), and the others. An earlier session of this
 * page (a rejoin is a new one; the room keeps the old avatar 20 s for a reconnection that will not come) is neither.
 */
export function avatarsShown<P>(
  players: { forEach(each: (player: P, id: string) => void): void },
  sessionId: string,
  mySessions: ReadonlySet<string>,
): { own?: AvatarShown<P>; others: AvatarShown<P>[] } {
  const shown: { own?: AvatarShown<P>; others: AvatarShown<P>[] } = { others: [] };
  players.forEach((player, id) => {
    if (id === sessionId) shown.own = { id, player };
    else if (!mySessions.has(id)) shown.others.push({ id, player });
  });
  return shown;
}
