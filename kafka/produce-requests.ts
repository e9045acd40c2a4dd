/**
 * `messages` cut into produce requests of at most `maxBytes` (as `bytesOf` counts a message) and `maxCount` messages,
 * lazily: the broker refuses a record batch over its `message.max.bytes` (1 MB by default), and a request's messages
 * for one partition are one batch. A message larger than `maxBytes` goes alone.
 */
export function* produceRequests<T>(messages: Iterable<T>, bytesOf: (message: T) => number, maxBytes: number, maxCount = Infinity): Generator<T[]> {
  let request: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = bytesOf(message);
    if (request.length > 0 && (bytes + size > maxBytes || request.length >= maxCount)) {
      yield request;
      request = [];
      bytes = 0;
    }
    request.push(message);
    bytes += size;
  }
  if (request.length > 0) yield request;
}
