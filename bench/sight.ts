/**
 * npm run bench:sight: what each client of a busy room receives, in bytes a second, with everyone in sight (the
 * default) and with a sight radius (world file `sight.radius`), hearing room-wide or by proximity. 50 players
 * spread over the village and walk at 10 moves a second, one of them saying a line every 0.2 s; the server runs
 * in its own process (`npm start`'s), whose CPU is read from its /metrics (each client's own view is encoded on its
 * own). A run adds three NPCs walking routes across the village; the last gives the room an NPC that talks in private
 * (`privateTalk`), whose lines go to their player as messages: the clients keep one shared view, as without it.
 * Prints a table and writes bench/results/sight.json.
 *
 *   npm run bench:sight -- --players 50 --seconds 10 --radius 15
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { ServerLoad } from "../loadtest/server-load.js";
import { freePort, startService } from "../tools/processes.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";
import { joinPlayers, keepWalking, walkerOf, type Walker } from "./walking-players.js";

const { values, number } = commandArgs("npm run bench:sight", {
  options: {
    players: { type: "string", default: "50" },
    seconds: { type: "string", default: "10" },
    radius: { type: "string", default: "15" },
    out: { type: "string", default: resultsFile("sight.json") },
  },
});
const playerCount = number("players");
const seconds = number("seconds");
const radius = number("radius");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const GUIDE = { id: "guide", name: "안내원", position: { x: 0, y: 0, z: 0 } };
/** Three NPCs pacing the village on routes (rooms/npc/npc-walk.ts), for what walking NPCs add to each client's bytes. */
const WALKERS = [-30, 0, 30].map((z, i) => ({
  id: `walker-${i}`, name: `산책꾼${i}`, position: { x: -40, y: 0, z }, route: { points: [{ x: 40, z }], speed: 1.5, pauseSeconds: 2 },
}));

async function measure(mode: string, world: Record<string, unknown>, npcs: object[] = [GUIDE]) {
  const folder = mkdtempSync(join(tmpdir(), "kobot-sight-"));
  const worldFile = join(folder, "world.json");
  writeFileSync(worldFile, JSON.stringify({ ...world, npcs }));
  const port = await freePort();
  const server = await startService(`bench-sight-${mode.replace(/\W+/g, "-")}`, "server/main.ts", {
    PORT: String(port), WORLD_FILE: worldFile, MAX_CLIENTS: String(playerCount),
  }, "world server listening");
  try {
    const url = `ws://127.0.0.1:${port}`;
    const players = await joinPlayers(url, playerCount, "걷는이");
    const walkers = players.map((player) => {
      const walker: Walker & { received: number } = { ...walkerOf(player), received: 0 };
      const socket = (player.room.connection as unknown as { transport: { ws: WebSocket } }).transport.ws;
      socket.addEventListener("message", (event) => (walker.received += (event.data as ArrayBuffer).byteLength ?? 0));
      return walker;
    });
    const stopWalking = keepWalking(walkers);
    let said = 0;
    const talking = setInterval(() => walkers[said++ % walkers.length]!.player.room.send("chat", { text: `오늘 날씨 좋네요 ${said}` }), 200);
    await sleep(8000); // spread out over the village first
    for (const walker of walkers) walker.received = 0;
    const load = await ServerLoad.start(url);
    await sleep(seconds * 1000);
    const serverLoad = await load?.end();
    const perSecond = walkers.map((walker) => walker.received / seconds);
    const inSight = walkers.map((walker) => walker.player.room.state.players.size);
    stopWalking();
    clearInterval(talking);
    await Promise.allSettled(walkers.map((walker) => walker.player.room.leave()));
    return {
      mode,
      players: playerCount,
      kbPerSecondP50: round(percentile(perSecond, 50) / 1000, 2),
      kbPerSecondP95: round(percentile(perSecond, 95) / 1000, 2),
      playersInSightP50: percentile(inSight, 50),
      playersInSightMax: Math.max(...inSight),
      // Views of their own are encoded one by one: what sight costs the server.
      serverCpuPercent: round(serverLoad?.cpuPercent ?? Number.NaN),
      serverLoopP99Ms: round(serverLoad?.loopDelayP99Ms ?? Number.NaN),
    };
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

const rows = [
  await measure("everyone in sight, room-wide hearing (default)", {}),
  await measure(`sight ${radius}, room-wide hearing`, { sight: { radius } }),
  await measure(`sight ${radius}, hearing ${radius}`, { sight: { radius }, hearing: { mode: "proximity", radius } }),
  await measure(`sight ${radius}, hearing ${radius}, 3 NPCs walking`, { sight: { radius }, hearing: { mode: "proximity", radius } }, [GUIDE, ...WALKERS]),
  await measure("everyone in sight, room-wide hearing, an NPC in private", {}, [{ ...GUIDE, privateTalk: true }]),
];
printTable(rows.map((row) => ({ ...row })));
const [everyone, sight, standing, walking, privately] = rows;
const result = {
  benchmark: "sight",
  date: new Date().toISOString(),
  machine: machineInfo(),
  seconds,
  radius,
  rows,
  bytesSavedBySight: round(1 - sight!.kbPerSecondP50 / everyone!.kbPerSecondP50, 3),
  /** What three walking NPCs add to each client's bytes a second (sight and hearing by distance). */
  kbPerSecondAddedByWalkingNpcs: round(walking!.kbPerSecondP50 - standing!.kbPerSecondP50, 2),
  /** The server's CPU with an NPC in private (its lines as messages, the view shared) over the default's. */
  serverCpuWithPrivateTalkX: round(privately!.serverCpuPercent / everyone!.serverCpuPercent, 2),
};
writeFileSync(values.out!, JSON.stringify(result, null, 2) + "\n");
console.log(
  `sight ${radius} sends each client ${round(100 * result.bytesSavedBySight)}% fewer bytes; three walking NPCs add ${result.kbPerSecondAddedByWalkingNpcs} KB/s; ` +
    `an NPC in private takes ${result.serverCpuWithPrivateTalkX}× the server CPU of none; wrote ${values.out}`,
);
process.exit(0);
