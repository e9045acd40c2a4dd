import assert from "node:assert/strict";

import { SignJWT } from "jose";

import { ActionReceipts, readActionReceipt, RECEIPT_ISSUER } from "../rooms/npc/action-receipts.js";

const SECRET = "the game's backend shares this secret";
const CLAIMS = { npc: "hans", action: "open_shop", line: "L1", question: "Q1", room: "r1", player: "p1", name: "영희" };

describe("NPC action receipts (rooms/npc/action-receipts.ts)", () => {
  it("reads back what was signed, with the signed-in player's account as its subject", async () => {
    const receipts = new ActionReceipts(SECRET, 300);
    assert.deepEqual(await readActionReceipt(await receipts.sign(CLAIMS), SECRET), CLAIMS);
    assert.deepEqual(await readActionReceipt(await receipts.sign({ ...CLAIMS, account: "acct-7" }), SECRET), { ...CLAIMS, account: "acct-7" });
  });

  it("refuses a receipt past its lifetime, with another secret, changed, or not issued by the world server", async () => {
    const receipt = await new ActionReceipts(SECRET, 60).sign(CLAIMS);
    const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
    assert.equal((await readActionReceipt(receipt, SECRET, later(50))).action, "open_shop");
    await assert.rejects(readActionReceipt(receipt, SECRET, later(70)), { name: "ActionReceiptError", message: "the action receipt has expired" });
    await assert.rejects(readActionReceipt(receipt, `${SECRET}!`), /signature does not match the secret/);

    // A cheater's edit of the claims (a better action) breaks the signature.
    const [header, , signature] = receipt.split(".");
    const edited = Buffer.from(JSON.stringify({ ...CLAIMS, action: "free_sword", iss: RECEIPT_ISSUER, jti: "L1", exp: 2e9 })).toString("base64url");
    await assert.rejects(readActionReceipt(`${header}.${edited}.${signature}`, SECRET), /signature does not match the secret/);

    // The game's own tokens, signed with the same secret, are not receipts.
    const key = new TextEncoder().encode(SECRET);
    const token = await new SignJWT({ ...CLAIMS }).setProtectedHeader({ alg: "HS256" }).setJti("L1").setExpirationTime("1h").sign(key);
    await assert.rejects(readActionReceipt(token, SECRET), /iss claim is not valid/);
    const noAction = await new SignJWT({ ...CLAIMS, action: undefined }).setProtectedHeader({ alg: "HS256" }).setIssuer(RECEIPT_ISSUER).setJti("L1").setExpirationTime("1h").sign(key);
    await assert.rejects(readActionReceipt(noAction, SECRET), /the receipt has no action/);
    await assert.rejects(readActionReceipt("not a receipt", SECRET), /not a valid signed receipt/);
  });
});
