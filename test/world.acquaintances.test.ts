import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { joinWorld, signedIn, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const SECRET = "a secret the game's login and this server share";
const WORLD = {
  npcs: [{
    id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10, greetAgainSeconds: 0,
    greetings: ["{name}, 처음 보는 얼굴이군."], greetingsAgain: ["다시 왔군, {name}!"],
  }],
};

describe("NPCs greeting signed-in players they have met (greetingsAgain)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  const joinAs = async (account: string, name: string): Promise<TestPlayer> =>
    joinWorld(world.url, {}, undefined, await signedIn(SECRET, account, name));
  const heard = (player: TestPlayer, text: string) => stateOf(player).chat.some((l) => l.from === "hans" && l.text === text);

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-met-")), "world.json");
    writeFileSync(file, JSON.stringify(WORLD));
    world = await startTestWorld({ WORLD_FILE: file, AUTH_SECRET: SECRET });
  });
  after(() => world.stop());

  it("greets a player who comes back as someone it knows, in a later session, and a new player as new", async () => {
    const first = await joinAs("acct-1", "에이");
    await waitFor("the greeting of one it has not met", () => heard(first, "에이, 처음 보는 얼굴이군."));
    await first.room.leave();

    const stranger = await joinAs("acct-2", "비비");
    const back = await joinAs("acct-1", "에이");
    await waitFor("the stranger greeted as new", () => heard(stranger, "비비, 처음 보는 얼굴이군."));
    await waitFor("the player who came back greeted as known", () => heard(back, "다시 왔군, 에이!"));
    assert.ok(!heard(back, "에이, 처음 보는 얼굴이군.") && !heard(back, "다시 왔군, 비비!"), "each greeted once, in their kind");
    await Promise.all([stranger.room.leave(), back.room.leave()]);
  });
});

describe("NPCs remembering players across a restart of the embedded default (DATA_DIR)", function () {
  this.timeout(30_000);

  it("greets a player it met before the restart as someone it knows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "world-met-restart-"));
    const file = join(dir, "world.json");
    writeFileSync(file, JSON.stringify(WORLD));
    const env = { WORLD_FILE: file, AUTH_SECRET: SECRET, DATA_DIR: join(dir, "data") };
    const joinAs = async (world: TestWorld) => joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acct-1", "에이"));
    const heard = (player: TestPlayer, text: string) => stateOf(player).chat.some((l) => l.from === "hans" && l.text === text);

    let world = await startTestWorld(env);
    const first = await joinAs(world);
    await waitFor("the greeting of one it has not met", () => heard(first, "에이, 처음 보는 얼굴이군."));
    await world.stop();

    world = await startTestWorld(env);
    try {
      const back = await joinAs(world);
      await waitFor("the player greeted as known after the restart", () => heard(back, "다시 왔군, 에이!"));
    } finally {
      await world.stop();
    }
  });
});
