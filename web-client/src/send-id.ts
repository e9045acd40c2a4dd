/**
 * A chat line's sendId (ChatPayload.sendId): 128 random bits as 32 hex digits. Not crypto.randomUUID, which a page
 * served over plain http from another machine (a LAN address: not a secure context) does not have.
 */
export function newSendId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
