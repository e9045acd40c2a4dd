import assert from "node:assert/strict";

import { DEAD_LETTER_MAX_BYTES, deadLetterRequests } from "../kafka/kafka-chat-log.js";

/** Dead letters as produce requests the broker takes (its record batches at most 1 MB by default). */
describe("Dead letters' produce requests (kafka/kafka-chat-log.ts)", () => {
  it("splits many letters into requests of at most 512 KiB, keeps each payload's bytes, and cuts a huge one to its beginning", () => {
    const junk = Array.from({ length: 3000 }, (_, i) => ({ value: `{"not a record": ${i}}`.padEnd(300, " "), reason: "not a chat-log record: ".padEnd(600, "x") }));
    const huge = { value: Buffer.alloc(600 * 1024, 0xff), reason: "not a chat-log record: payload is not JSON" };
    const requests = deadLetterRequests([...junk.slice(0, 1500), huge, ...junk.slice(1500)], "chat.log");
    const letters = requests.flat();
    assert.equal(letters.length, 3001, "every letter, once");
    for (const request of requests) {
      const bytes = request.reduce((sum, { value, headers }) => sum + Buffer.byteLength(value) + Buffer.byteLength(headers.reason!), 0);
      assert.ok(bytes <= 512 * 1024, `a request of ${bytes} bytes`);
    }
    const cut = letters.find((letter) => letter.headers.truncated !== undefined)!;
    assert.equal(cut.headers.truncated, String(600 * 1024));
    assert.ok(Buffer.isBuffer(cut.value) && cut.value.length === DEAD_LETTER_MAX_BYTES && cut.value.every((byte) => byte === 0xff), "its first 256 KiB, as bytes");
    assert.deepEqual(letters.filter((letter) => letter !== cut).map((letter) => letter.value), junk.map((letter) => letter.value), "in order");
    assert.ok(letters.every((letter) => letter.headers.source === "chat.log" && letter.headers.reason!.length <= 1000));
  });
});
