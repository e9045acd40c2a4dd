/**
 * The player's name a sign-in token carries (its `name` claim), read, not verified: the server verifies the token
 * and names the player after it, whatever the page sends. Undefined for a token without one, or not a JWT.
 */
export function tokenName(token: string): string | undefined {
  try {
    const payload = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(payload), (char) => char.charCodeAt(0));
    const { name } = JSON.parse(new TextDecoder().decode(bytes)) as { name?: unknown };
    return typeof name === "string" && name.trim() ? name : undefined;
  } catch {
    return undefined;
  }
}
