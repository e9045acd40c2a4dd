import WebSocket from "ws";

/**
 * Imported before `@colyseus/sdk` in Node programs (load-test bots, examples): the SDK takes `globalThis.WebSocket`
 * where there is one, and Node 22's (undici) fires no `close` when a connection fails, where the SDK's reconnection
 * waits for one to try again: after a network outage a bot made one attempt and stayed disconnected for good, with no
 * `onLeave`. The `ws` package's fires it. Put in the global's place, not just removed: Colyseus's server reads
 * `WebSocket.OPEN` from the global as a player reconnects, and a bench's server in the bots' process refused every
 * reconnection without it. Browsers fire `close` and are not concerned.
 */
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
