import { errors, jwtVerify, SignJWT } from "jose";

/** Who signs receipts: a game backend may check `iss` to tell them from its own tokens. */
export const RECEIPT_ISSUER = "kobot-world";

/** What an NPC did for whom: the game backend grants it (opens the shop, gives the quest) on a valid receipt. */
export interface ActionReceiptClaims {
  npc: string;
  action: string;
  /** The NPC's line that did it: the receipt's `jti`, so a backend refuses the same receipt twice. */
  line: string;
  /** The player's question it answered. */
  question: string;
  room: string;
  /** The player's session in the room, and the name they played under. */
  player: string;
  name: string;
  /** The player's account from the game's login (the receipt's `sub`); absent for a player who did not sign in. */
  account?: string;
}

export class ActionReceiptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ActionReceiptError";
  }
}

/**
 * Receipts for NPC actions (`npc_action`), signed with ACTION_SECRET (a JWT, HS256). The action reaches the player's
 * client, which a cheater controls; a receipt lets the game's backend trust it: the client hands it on with its
 * request, and the backend checks it with the same secret (`readActionReceipt` here, or any JWT library).
 */
export class ActionReceipts {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly lifetimeSeconds: number) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: ActionReceiptClaims): Promise<string> {
    const { line, account, ...rest } = claims;
    const jwt = new SignJWT(rest).setProtectedHeader({ alg: "HS256" }).setIssuer(RECEIPT_ISSUER).setJti(line).setIssuedAt();
    if (account !== undefined) jwt.setSubject(account);
    return jwt.setExpirationTime(`${this.lifetimeSeconds}s`).sign(this.key);
  }
}

/**
 * What a game backend does with a receipt: checks its signature, issuer and age, and reads its claims; any problem is
 * an ActionReceiptError saying which. The backend still keeps the lines (`line`) it granted until they expire, so a
 * receipt is used once.
 */
export async function readActionReceipt(receipt: string, secret: string, now?: Date): Promise<ActionReceiptClaims> {
  let payload;
  try {
    ({ payload } = await jwtVerify(receipt, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
      issuer: RECEIPT_ISSUER,
      requiredClaims: ["jti", "exp"],
      ...(now ? { currentDate: now } : {}),
    }));
  } catch (error) {
    throw new ActionReceiptError(receiptProblem(error));
  }
  const { jti, sub, npc, action, question, room, player, name } = payload;
  const fields = { npc, action, question, room, player, name };
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== "string") throw new ActionReceiptError(`the receipt has no ${field}`);
  }
  return { ...(fields as Omit<ActionReceiptClaims, "line" | "account">), line: jti!, ...(sub !== undefined ? { account: sub } : {}) };
}

function receiptProblem(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the action receipt has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `the action receipt's ${error.claim} claim is not valid (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the action receipt's signature does not match the secret";
  return "the action receipt is not a valid signed receipt";
}
