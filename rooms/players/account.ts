/** Who a game's login says a player is: its account id, and the name to show when the token gives one. */
export interface Account {
  id: string;
  name?: string;
}
