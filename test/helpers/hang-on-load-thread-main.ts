/** The embedded NPC worker's thread (npc/worker/worker-thread-main.ts) stuck as it loads, as in a model whose warm-up never returns. */
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
await import("../../npc/worker/worker-thread-main.js");
