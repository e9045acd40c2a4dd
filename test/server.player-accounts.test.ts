import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { matchMaker } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from "jose";

import { ConfigError, loadConfig } from "../server/config.js";
import { PlayerAccounts, signToken } from "../server/player-accounts.js";
import type { QuestionMessage } from "../kafka/contract.js";
import { readActionReceipt } from "../rooms/npc/action-receipts.js";
import { SANCTIONS_CHANNEL } from "../rooms/moderation/account-sanctions.js";
import { BANNED_CLOSE, type NpcActionNotice } from "../rooms/world-protocol.js";
import type { WorldState } from "../rooms/world-state.js";
import { answerSlowly, askInTurns, joinWorld, scriptedAnswer, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

const SECRET = "a secret the game's login and this server share";

/** A token as a game's login would sign it: for an hour unless told otherwise. */
function token(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string | number; alg?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? "HS256" }).setIssuedAt();
  if (options.expiresIn !== 0) jwt.setExpirationTime(options.expiresIn ?? "1h");
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** Rejects with the 401's message. */
async function refused(accounts: PlayerAccounts, jwt: string | undefined, message: RegExp): Promise<void> {
  await assert.rejects(accounts.verify(jwt), (error: { code?: number; message: string }) => {
    assert.equal(error.code, 401);
    assert.match(error.message, message);
    return true;
  });
}

describe("players' accounts from signed tokens (server/player-accounts.ts)", () => {
  const accounts = new PlayerAccounts({ key: { secret: SECRET } });

  it("reads the account and its name from a token signed with the shared secret", async () => {
    assert.deepEqual(await accounts.verify(await token({ sub: "player-1", name: "영희" })), { id: "player-1", name: "영희" });
    assert.deepEqual(await accounts.verify(await token({ sub: "player-2" })), { id: "player-2" });
    const longest = "x".repeat(128);
    assert.deepEqual(await accounts.verify(await token({ sub: longest })), { id: longest }, "128 characters, the most an account has");
  });

  it("refuses, with a 401 that says why, a missing, expired, forged, unexpiring or accountless token", async () => {
    await refused(accounts, undefined, /join with a token/);
    await refused(accounts, "not.a.token", /not a valid signed token/);
    await refused(accounts, await token({ sub: "p" }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), /expired/);
    await refused(accounts, await token({ sub: "p" }, { secret: "another secret, of someone else's login" }), /signature does not match/);
    await refused(accounts, await token({ sub: "p" }, { expiresIn: 0 }), /exp claim/);
    await refused(accounts, await token({ name: "영희" }), /sub claim/);
    await refused(accounts, await token({ sub: "p", name: 7 }), /name must be a string/);
    await refused(accounts, await token({ sub: "x".repeat(129) }), /1–128 characters/);
    for (const sub of [".", ".."]) await refused(accounts, await token({ sub }), /cannot be/); // a mute of it could not be lifted from the console
  });

  it("refuses a sub with spaces or line breaks at its ends, which no erasure request could name (it takes the account trimmed)", async () => {
    for (const sub of [" player-1", "player-1 ", "player-1\n", "\tplayer-1"]) await refused(accounts, await token({ sub }), /spaces at its ends/);
    assert.deepEqual(await accounts.verify(await token({ sub: "player 1" })), { id: "player 1" }, "spaces inside are the login's to give");
  });

  it("refuses, with a 401 that says why, a token issued in the future or good for longer than AUTH_MAX_TOKEN_DAYS (30 days)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = (iat: number, exp = now + 3600) => new SignJWT({ sub: "p" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt(iat).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
    // The token's seconds are whole and the server's clock is not: an hour ahead is said as 3600 s, or 3599 s once more
    // than half a second has passed since `now` (it failed so on a clean-clone CI).
    await refused(accounts, await issuedAt(now + 3600, now + 7200), /iat claim is (3600|3599) s ahead of this server's clock/);
    assert.deepEqual(await accounts.verify(await issuedAt(now + 20)), { id: "p" }, "within the 30 s the clocks may differ");
    await refused(accounts, await token({ sub: "p" }, { expiresIn: "31d" }), /good for 31 days more: this server takes tokens good for at most 30 \(AUTH_MAX_TOKEN_DAYS\)/);
    await refused(accounts, await token({ sub: "p" }, { expiresIn: now + 10 * 365 * 86_400 }), /at most 30/);
    assert.deepEqual(await accounts.verify(await token({ sub: "p" }, { expiresIn: "29d" })), { id: "p" });
    assert.deepEqual(await accounts.verify(await token({ sub: "p" }, { expiresIn: now + 30 * 86_400 + 15 })), { id: "p" }, "30 days from a login's clock 15 s ahead");
    const longer = new PlayerAccounts({ key: { secret: SECRET }, maxTokenDays: 90 });
    assert.deepEqual(await longer.verify(await token({ sub: "p" }, { expiresIn: "31d" })), { id: "p" }, "AUTH_MAX_TOKEN_DAYS=90");
    const configured = loadConfig({ AUTH_SECRET: SECRET, AUTH_MAX_TOKEN_DAYS: "90", DATA_DIR: "off", WORLD_FILE: "off" }).accounts!;
    assert.deepEqual(await configured.verify(await token({ sub: "p" }, { expiresIn: "31d" })), { id: "p" });
    assert.throws(() => loadConfig({ AUTH_SECRET: SECRET, AUTH_MAX_TOKEN_DAYS: "0", DATA_DIR: "off", WORLD_FILE: "off" }), /AUTH_MAX_TOKEN_DAYS/);
  });

  it("checks the issuer and audience when told to", async () => {
    const strict = new PlayerAccounts({ key: { secret: SECRET }, issuer: "https://login.example", audience: "kobot-world" });
    assert.deepEqual(await strict.verify(await token({ sub: "p", iss: "https://login.example", aud: "kobot-world" })), { id: "p" });
    await refused(strict, await token({ sub: "p", iss: "https://elsewhere.example", aud: "kobot-world" }), /iss claim/);
    await refused(strict, await token({ sub: "p", iss: "https://login.example", aud: "another-game" }), /aud claim/);
  });

  it("refuses a token addressed to another world or from another login when AUTH_AUDIENCE / AUTH_ISSUER are unset", async () => {
    // A second world sharing the secret (or the login service) signed its tokens for itself: they are not for this one.
    await refused(accounts, await token({ sub: "p", aud: "world-b.example" }), /aud claim names an audience \("world-b.example"\) and this server names none/);
    await refused(accounts, await token({ sub: "p", aud: ["world-b.example"] }), /aud claim/);
    await refused(accounts, await token({ sub: "p", iss: "staging-login" }), /iss claim names an issuer \("staging-login"\) and this server names none/);
    const onlyAudience = new PlayerAccounts({ key: { secret: SECRET }, audience: "kobot-world" });
    assert.deepEqual(await onlyAudience.verify(await token({ sub: "p", aud: "kobot-world" })), { id: "p" });
    await refused(onlyAudience, await token({ sub: "p", aud: "kobot-world", iss: "staging-login" }), /iss claim/);
    const unasked = await signToken(SECRET, { account: "bot-1", hours: 1 });
    assert.deepEqual(await accounts.verify(unasked), { id: "bot-1" }, "`npm run token` puts no aud or iss in unless asked");
  });

  it("verifies with a public key, and never takes that key as an HMAC secret (algorithm confusion)", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const pem = await exportSPKI(publicKey);
    const byKey = new PlayerAccounts({ key: { publicKeyPem: pem } });
    const signed = await new SignJWT({ sub: "p", name: "철수" }).setProtectedHeader({ alg: "ES256" }).setExpirationTime("1h").sign(privateKey);
    assert.deepEqual(await byKey.verify(signed), { id: "p", name: "철수" });
    // Anyone can read a public key: signed with it as an HS256 secret, a token must not pass.
    await refused(byKey, await token({ sub: "p" }, { secret: pem }), /algorithm this server does not take/);
    // A login service's key signs its every app's tokens: the server says so at start unless AUTH_AUDIENCE is set.
    assert.equal(byKey.takesOtherAppsTokens, true);
    assert.equal(new PlayerAccounts({ key: { publicKeyPem: pem }, audience: "kobot-world" }).takesOtherAppsTokens, false);
    assert.equal(new PlayerAccounts({ key: { secret: SECRET } }).takesOtherAppsTokens, false, "a secret is this game's own");
  });

  it("takes the tokens `npm run token` signs, issuer and audience included", async () => {
    const strict = new PlayerAccounts({ key: { secret: SECRET }, issuer: "https://login.example", audience: "kobot-world" });
    const signed = await signToken(SECRET, { account: "bot-3", name: "봇", hours: 1, issuer: "https://login.example", audience: "kobot-world" });
    assert.deepEqual(await strict.verify(signed), { id: "bot-3", name: "봇" });
    const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", ["server/sign-token.ts", "--account", "cli-1", "--hours", "2"], {
      env: { ...process.env, AUTH_SECRET: SECRET },
    });
    assert.deepEqual(await accounts.verify(stdout.trim()), { id: "cli-1" });
    for (const hours of ["Infinity", "1e21", "1e-9", "0", "soon", "721"]) { // 721: past AUTH_MAX_TOKEN_DAYS, a token the server refuses
      const refused = await promisify(execFile)("node_modules/.bin/tsx", ["server/sign-token.ts", "--account", "cli-1", "--hours", hours], {
        env: { ...process.env, AUTH_SECRET: SECRET },
      }).catch((error: { code: number; stderr: string }) => error);
      assert.equal((refused as { code?: number }).code, 2, hours);
      assert.match((refused as { stderr: string }).stderr, /--hours must be a number from 0\.017 \(a minute\)/);
    }
    // A secret the server refuses (under 32 characters), and a mistyped option: said with the usage, no stack.
    for (const [args, secret, said] of [
      [["--account", "cli-1"], "short", /AUTH_SECRET must have at least 32 characters/],
      // Long enough, but with a space at its end (a secret pasted or read from a file): the server refuses it at start.
      [["--account", "cli-1"], `${SECRET} `, /AUTH_SECRET must have no spaces or newlines at its ends/],
      [["--acount", "cli-1"], SECRET, /^Unknown option '--acount'\nusage: /],
      // A token the server would refuse at sign-in is not signed.
      [["--account", " cli-1"], SECRET, /^--account has spaces at its ends \(" cli-1"\).*as the server's sign-in refuses/],
    ] as const) {
      const refused = (await promisify(execFile)("node_modules/.bin/tsx", ["server/sign-token.ts", ...args], { env: { ...process.env, AUTH_SECRET: secret } }).catch(
        (error: { code: number; stderr: string }) => error,
      )) as { code?: number; stderr: string };
      assert.equal(refused.code, 2, args.join(" "));
      assert.match(refused.stderr, said);
      assert.doesNotMatch(refused.stderr, /^\s+at /m);
    }
    const help = await promisify(execFile)("node_modules/.bin/tsx", ["server/sign-token.ts", "--help"], { env: { ...process.env, AUTH_SECRET: "" } });
    assert.equal(help.stdout, "", "no token");
    assert.match(help.stderr, /^usage: AUTH_SECRET=… npm run token -- --account ID/);
    const quarter = await signToken(SECRET, { account: "q", hours: 0.25 });
    const { exp, iat } = JSON.parse(Buffer.from(quarter.split(".")[1]!, "base64url").toString()) as { exp: number; iat: number };
    assert.ok(Math.abs(exp - iat - 900) <= 1, `a quarter of an hour: ${exp - iat} s`);
  });

  it("refuses a private key as AUTH_PUBLIC_KEY_FILE, a secret with a newline at its end, and one secret for sign-in and receipts", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const file = join(mkdtempSync(join(tmpdir(), "kobot-key-")), "login.pem");
    writeFileSync(file, await exportPKCS8(privateKey));
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_PUBLIC_KEY_FILE: file }), /AUTH_PUBLIC_KEY_FILE=".*login\.pem": holds a private key: give the public key only/);
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_SECRET: `${SECRET}\n` }), /AUTH_SECRET=<\d+ characters, not shown>: no spaces or newlines at its ends/);
    // A receipt signed with the sign-in secret would sign its player in.
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_SECRET: SECRET, ACTION_SECRET: SECRET }), /AUTH_SECRET and ACTION_SECRET: the same secret/);
  });

  it("is configured by AUTH_SECRET or AUTH_PUBLIC_KEY_FILE, one of them, with clear errors", () => {
    assert.equal(loadConfig({ WORLD_FILE: "off" }).accounts, undefined, "unset: anyone joins");
    assert.ok(loadConfig({ WORLD_FILE: "off", AUTH_SECRET: SECRET }).accounts instanceof PlayerAccounts);
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_SECRET: "short" }), /AUTH_SECRET=<5 characters, not shown>: at least 32 characters/);
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_SECRET: SECRET, AUTH_PUBLIC_KEY_FILE: "key.pem" }), /set one of them/);
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_ISSUER: "https://login.example" }), ConfigError);
    assert.throws(() => loadConfig({ WORLD_FILE: "off", AUTH_PUBLIC_KEY_FILE: "/no/such/key.pem" }), /AUTH_PUBLIC_KEY_FILE="\/no\/such\/key.pem": ENOENT/);
  });
});

// Its own server: players behind one proxy-forwarded address, as a PC bang's or a carrier's NAT puts them.
describe("signed-in players in the world room (AUTH_SECRET)", function () {
  let world: TestWorld;
  const sameAddress = "203.0.113.7";
  /** Joins as the account the token names, from the one public address the proxy forwarded. */
  const joinAs = async (claims: Record<string, unknown>, options: Record<string, unknown> = {}, roomId?: string): Promise<TestPlayer> =>
    joinWorld(world.url, options, roomId, { "x-forwarded-for": sameAddress, authorization: `Bearer ${await token(claims)}` });
  const linesOf = (seen: TestPlayer, player: TestPlayer) => stateOf(seen).chat.filter((line) => line.from === player.room.sessionId);

  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: SECRET, TRUST_PROXY: "1", CHAT_BURST: "2", CHAT_LINES_PER_SECOND: "0.2", CHAT_ADDRESS_SHARE: "2" });
  });
  after(() => world.stop());

  it("lets in only players with a valid token, through the SDK's client.auth.token, shown by their account's name", async () => {
    await assert.rejects(world.join("손님"), /join with a token/);
    const otherWorld = await token({ sub: "acct-from-world-b", aud: "world-b.example", iss: "staging-login" });
    await assert.rejects(joinWorld(world.url, {}, undefined, { authorization: `Bearer ${otherWorld}` }), /aud claim names an audience/);
    await assert.rejects(joinWorld(world.url, {}, undefined, { authorization: `Bearer ${await token({ sub: "p" }, { secret: "x".repeat(40) })}` }), /signature/);
    const metrics = await (await fetch(`${world.url.replace("ws://", "http://")}/metrics`)).text();
    assert.ok(Number(/^kobot_joins_refused_total\{reason="sign_in"\} (\d+)$/m.exec(metrics)?.[1]) >= 2, "refused sign-ins counted");
    const client = new Client(world.url);
    client.auth.token = await token({ sub: "account-7", name: "영희" });
    const room = await client.joinOrCreate<WorldState>("world", { name: "아무개" });
    await waitFor("the first state", () => room.state?.players?.get(room.sessionId));
    assert.equal(room.state.players.get(room.sessionId)!.name, "영희", "the account's name, not the one the join asked for");
    await room.leave();
    // A token whose name is blank names no one: the join's name is used; one refused is not the account's.
    client.auth.token = await token({ sub: "account-8", name: "  " });
    const blank = await client.joinOrCreate<WorldState>("world", { name: "철수" });
    await waitFor("the first state", () => blank.state?.players?.get(blank.sessionId));
    assert.equal(blank.state.players.get(blank.sessionId)!.name, "철수");
    await blank.leave();
    await assert.rejects(client.joinOrCreate<WorldState>("world", { name: "코봇" }), (error: Error) => !error.message.startsWith("account name refused"));
    client.auth.token = await token({ sub: "account-9", name: "코봇" });
    await assert.rejects(client.joinOrCreate<WorldState>("world", {}), (error: Error) => error.message.startsWith('account name refused: name "코봇" passes for 코봇'));
  });

  it("gives players behind one address lines of their own, one account's avatars one allowance between them", async () => {
    const first = await joinAs({ sub: "a", name: "갑" });
    const second = await joinAs({ sub: "b", name: "을" }, {}, first.room.roomId);
    const third = await joinAs({ sub: "c", name: "병" }, {}, first.room.roomId);
    for (const player of [first, second, third]) ["하나", "둘"].forEach((text) => player.room.send("chat", { text }));
    await waitFor("six lines", () => [first, second, third].every((player) => linesOf(first, player).length === 2));
    assert.deepEqual([first, second, third].flatMap((player) => player.errors), [], "without accounts, 2 of one address's 6 lines were refused");

    // Account "a" again, on a second device: both avatars draw on what "a" has left, which is nothing.
    const again = await joinAs({ sub: "a", name: "갑" }, {}, first.room.roomId);
    again.room.send("chat", { text: "셋" });
    await waitFor("the refusal", () => again.errors.length === 1);
    assert.equal(again.errors[0]!.code, "rate_limited");
    assert.notEqual(again.errors[0]!.byAddress, true, "refused for the account's own lines, not the address's");
    await Promise.all([first, second, third, again].map((player) => player.room.leave()));
  });

  it("does not refill an account's allowances when it leaves and joins again under another name", async () => {
    const host = await joinAs({ sub: "host" }, { name: "주인" });
    const before = await joinAs({ sub: "d" }, { name: "처음이름" }, host.room.roomId);
    ["하나", "둘"].forEach((text) => before.room.send("chat", { text }));
    await waitFor("two lines", () => linesOf(host, before).length === 2);
    await before.room.leave();
    const after = await joinAs({ sub: "d" }, { name: "다른이름" }, host.room.roomId);
    after.room.send("chat", { text: "셋" });
    await waitFor("the refusal", () => after.errors.length === 1);
    assert.equal(after.errors[0]!.code, "rate_limited");
    await Promise.all([host, after].map((player) => player.room.leave()));
  });
});

// Its own server: an NPC's queue, served by a scripted brain one question at a time.
describe("an NPC's turns for signed-in players (AUTH_SECRET)", function () {
  let world: TestWorld;
  const heard: string[] = [];
  const joinAs = async (account: string, roomId?: string): Promise<TestPlayer> =>
    joinWorld(world.url, {}, roomId, { "x-forwarded-for": "203.0.113.9", authorization: `Bearer ${await token({ sub: account })}` });

  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: SECRET, TRUST_PROXY: "1", NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "10", NPC_TIMEOUT_MS: "5000" });
    await answerSlowly(world, heard);
  });
  after(() => world.stop());

  it("gives one account's avatars one turn a round between them, and each account behind one address its own", async () => {
    const first = await joinAs("first");
    const second = await joinAs("second", first.room.roomId);
    const last = await joinAs("last", first.room.roomId);
    const devices = [await joinAs("many", first.room.roomId), await joinAs("many", first.room.roomId), await joinAs("many", first.room.roomId)];
    // The first two questions go to the brain at once; the rest wait, one account's three asked before the last.
    assert.deepEqual(
      await askInTurns({ first, second, group: devices, last }, heard),
      ["l1", "l2", "o1", "l3", "o2", "o3"],
      "the account's second and third wait for the last player's turn; all share one address",
    );
    await Promise.all([first, second, last, ...devices].map((p) => p.room.leave()));
  });
});

// Its own server: a moderator mutes an account through the admin API.
describe("moderators' mutes and bans of accounts (POST /api/mutes, /api/bans)", function () {
  let world: TestWorld;
  let http: string;
  const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" };
  const joinAs = async (account: string, roomId?: string): Promise<TestPlayer> =>
    joinWorld(world.url, {}, roomId, { authorization: `Bearer ${await token({ sub: account, name: account })}` });
  const mute = (body: unknown, headers: Record<string, string> = admin) => fetch(`${http}/api/mutes`, { method: "POST", headers, body: JSON.stringify(body) });
  /** Says `text` every 100 ms until `done`: a mute set or lifted reaches the rooms through the presence. */
  const sayUntil = async (player: TestPlayer, text: string, done: () => boolean) => {
    for (let tries = 0; tries < 30 && !done(); tries++) {
      player.room.send("chat", { text });
      await sleep(100);
    }
    assert.ok(done(), `nothing changed after saying "${text}" for 3 s`);
  };

  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" });
    http = world.url.replace("ws://", "http://");
  });
  after(() => world.stop());

  it("silences a muted account in its room at once and after it joins again, others not, until the mute is lifted", async () => {
    let loud = await joinAs("loud");
    const calm = await joinAs("calm", loud.room.roomId);
    const heard = (text: string) => stateOf(calm).chat.some((line) => line.text === text);
    loud.room.send("chat", { text: "처음엔 괜찮아" });
    await waitFor("the first line", () => heard("처음엔 괜찮아"));

    const response = await mute({ account: "loud", minutes: 5, reason: "욕설 신고" });
    assert.equal(response.status, 200, await response.clone().text());
    assert.ok(((await response.json()) as { until: number }).until > Date.now() + 4 * 60_000);
    await sayUntil(loud, "막혔나?", () => loud.errors.some((error) => error.code === "muted"));
    const refusal = loud.errors.find((error) => error.code === "muted")!;
    assert.ok(refusal.retryAfterMs! > 4 * 60_000 && refusal.retryAfterMs! <= 5 * 60_000, `${refusal.retryAfterMs} ms`);
    assert.equal(refusal.text, "막혔나?", "the line comes back");
    calm.room.send("chat", { text: "나는 말할 수 있어" });
    await waitFor("another account's line", () => heard("나는 말할 수 있어"));
    assert.ok(!heard("막혔나?"), "nobody heard the muted line");

    await loud.room.leave();
    loud = await joinAs("loud", calm.room.roomId);
    loud.room.send("chat", { text: "새로 들어오면?" });
    await waitFor("muted after joining again", () => loud.errors.some((error) => error.code === "muted"));
    assert.ok(!heard("새로 들어오면?"));

    assert.equal((await fetch(`${http}/api/mutes/loud`, { method: "DELETE", headers: admin })).status, 204);
    await sayUntil(loud, "이제 풀렸다", () => heard("이제 풀렸다"));
    await Promise.all([loud, calm].map((player) => player.room.leave()));
  });

  it("puts a banned account out of its room with BANNED_CLOSE, keeps no place for it, and refuses its joins until lifted", async () => {
    const rowdy = await joinAs("rowdy");
    const bystander = await joinAs("bystander", rowdy.room.roomId);
    let leftWith: number | undefined;
    rowdy.room.onLeave((code: number) => (leftWith = code));
    const banned = await fetch(`${http}/api/bans`, { method: "POST", headers: admin, body: JSON.stringify({ account: "rowdy", minutes: 10, reason: "도배" }) });
    assert.equal(banned.status, 200, await banned.clone().text());
    await waitFor("the banned player put out", () => leftWith);
    assert.equal(leftWith, BANNED_CLOSE);
    await waitFor("the avatar gone at once, not kept 20 s for a reconnection", () => stateOf(bystander).players[rowdy.room.sessionId] === undefined);
    await assert.rejects(joinAs("rowdy", bystander.room.roomId), (error: { code?: number; message: string }) => {
      assert.equal(error.code, 403);
      assert.match(error.message, /banned this account: it may join again in 10 min/);
      return true;
    });
    // Counted for operators (the registry is the process's: other tests' count too).
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.ok(Number(/^kobot_sanctions_total\{sanction="ban"\} (\d+)$/m.exec(metrics)?.[1]) >= 1, "bans counted");
    assert.ok(Number(/^kobot_joins_refused_total\{reason="banned"\} (\d+)$/m.exec(metrics)?.[1]) >= 1, "joins refused for a ban counted");
    assert.equal((await fetch(`${http}/api/bans/rowdy`, { method: "DELETE", headers: admin })).status, 204);
    const back = await joinAs("rowdy", bystander.room.roomId);
    await Promise.all([back, bystander].map((player) => player.room.leave()));
  });

  it("closes a join banned after its sign-in was checked, before it reached the room, with BANNED_CLOSE", async () => {
    const host = await joinAs("host-3");
    // What a ban between a join's check of the presence and its arrival in the room looks like to the room: heard on
    // the channel, and not in the presence when the join was checked.
    await matchMaker.presence.publish(SANCTIONS_CHANNEL, { sanction: "ban", account: "late-ban", until: Date.now() + 10 * 60_000 });
    // Matchmaking answered 200 by then: the socket is closed with BANNED_CLOSE (a 403 in an error frame and close 4002
    // before, which clients take for "join again").
    await assert.rejects(joinAs("late-ban", host.room.roomId), (error: { code?: number; message: string }) => {
      assert.equal(error.code, BANNED_CLOSE, error.message);
      assert.match(error.message, /banned this account: it may join again in 10 min/);
      return true;
    });
    await waitFor("nobody seated for it", () => Object.keys(stateOf(host).players).length === 1);
    await host.room.leave();
  });

  it("puts out a player banned while dropped as soon as they take their place back (which skips onAuth)", async () => {
    const host = await joinAs("host-2");
    const client = new Client(world.url);
    client.auth.token = await token({ sub: "away", name: "away" });
    const away = await client.joinById<WorldState>(host.room.roomId, {});
    await waitFor("the first state", () => away.state?.players !== undefined);
    // The socket dies without a leave: the room keeps the place 20 s for a reconnection.
    (away.connection as unknown as { transport: { ws: { close(code: number): void } } }).transport.ws.close(4999);
    await waitFor("the avatar away", () => stateOf(host).players[away.sessionId]?.anim === "away");
    const banned = await fetch(`${http}/api/bans`, { method: "POST", headers: admin, body: JSON.stringify({ account: "away", minutes: 10 }) });
    assert.equal(banned.status, 200);
    // Put out as the socket opens: the SDK's reconnect fails with the close code and reason.
    await assert.rejects(client.reconnect<WorldState>(away.reconnectionToken), (error: { code?: number; message: string }) => {
      assert.equal(error.code, BANNED_CLOSE, error.message);
      assert.match(error.message, /banned/);
      return true;
    });
    await waitFor("the avatar gone", () => stateOf(host).players[away.sessionId] === undefined);
    // Lifted: the local presence keeps a 10-minute timer for the ban, which would hold mocha's exit as long.
    assert.equal((await fetch(`${http}/api/bans/away`, { method: "DELETE", headers: admin })).status, 204);
    await host.room.leave();
  });

  it("lists the mutes and bans in force, ending first first, with their reasons; not those lifted", async () => {
    const post = (route: string, body: unknown) => fetch(`${http}/api/${route}`, { method: "POST", headers: admin, body: JSON.stringify(body) });
    const list = async (route: string) => (await (await fetch(`${http}/api/${route}`, { headers: admin })).json()) as Record<string, { account: string; since: number; until: number; reason?: string }[]>;
    const before = Date.now();
    for (const [route, body] of [
      ["mutes", { account: "later", minutes: 30 }],
      ["mutes", { account: "sooner", minutes: 5, reason: "욕설 신고" }],
      ["bans", { account: "spammer", minutes: 60, reason: "도배" }],
    ] as const) assert.equal((await post(route, body)).status, 200);

    const { mutes } = await list("mutes");
    assert.deepEqual(mutes!.map((m) => [m.account, m.reason]), [["sooner", "욕설 신고"], ["later", undefined]]);
    assert.ok(mutes!.every((m) => m.since >= before && m.until === m.since + (m.account === "sooner" ? 5 : 30) * 60_000), JSON.stringify(mutes));
    assert.deepEqual((await list("bans")).bans!.map((b) => [b.account, b.reason]), [["spammer", "도배"]]);

    assert.equal((await fetch(`${http}/api/mutes/sooner`, { method: "DELETE", headers: admin })).status, 204);
    assert.deepEqual((await list("mutes")).mutes!.map((m) => m.account), ["later"]);
    assert.equal((await fetch(`${http}/api/mutes`)).status, 401, "for admins only");
    // Lifted: the local presence keeps a timer for each, which would hold mocha's exit as long.
    for (const route of ["mutes/later", "bans/spammer"]) await fetch(`${http}/api/${route}`, { method: "DELETE", headers: admin });
    assert.deepEqual([(await list("mutes")).mutes, (await list("bans")).bans], [[], []]);
  });

  it("names the accounts in players' reports, so that one report again from another device replaces it, and ?account= finds those about one", async () => {
    const troll = await joinAs("troll");
    const victim = await joinAs("victim", troll.room.roomId);
    const victimsPhone = await joinAs("victim", troll.room.roomId);
    const other = await joinAs("other", troll.room.roomId);
    const acknowledged: string[] = [];
    for (const player of [victim, victimsPhone, other]) player.room.onMessage("reported", ({ player: reported }: { player: string }) => acknowledged.push(reported));
    victim.room.send("report", { player: troll.room.sessionId, reason: "욕설" });
    await waitFor("the first report", () => acknowledged.length === 1);
    victimsPhone.room.send("report", { player: troll.room.sessionId, reason: "또 욕설" });
    other.room.send("report", { player: victim.room.sessionId });
    await waitFor("every report", () => acknowledged.length === 3);
    const list = async (query: string) =>
      ((await (await fetch(`${http}/api/reports${query}`, { headers: admin })).json()) as { reports: { id: string; times: number; reason?: string; reporter: { account?: string }; reported: { account?: string } }[] }).reports;
    const aboutTroll = await list("?account=troll");
    assert.deepEqual(aboutTroll.map((r) => [r.reporter.account, r.reported.account, r.times, r.reason]), [["victim", "troll", 2, "또 욕설"]]);
    assert.deepEqual((await list("?account=victim")).map((r) => r.reporter.account), ["other"]);
    for (const report of await list("")) await fetch(`${http}/api/reports/${report.id}`, { method: "DELETE", headers: admin });
    await Promise.all([troll, victim, victimsPhone, other].map((player) => player.room.leave()));
  });

  it("is for admins only, and says what is wrong with a bad mute", async () => {
    assert.equal((await mute({ account: "x", minutes: 5 }, { "content-type": "application/json" })).status, 401);
    const bad = await mute({ account: "x", minutes: 0 });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { details: string }).details, /minutes/);
    assert.equal((await mute({ account: "x", minutes: 5, ban: true })).status, 400, "unknown fields are refused, not ignored");
    const notJson = await fetch(`${http}/api/bans`, { method: "POST", headers: admin, body: "{" });
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: string }).error, /bad ban/, "said in JSON, as every admin route answers");
  });
});

// Its own server: enough players' reports mute an account by themselves.
describe("players' reports that mute an account (REPORTS_TO_MUTE)", function () {
  let world: TestWorld;
  let http: string;
  const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64") };
  const joinAs = async (account: string, roomId?: string): Promise<TestPlayer> =>
    joinWorld(world.url, {}, roomId, { authorization: `Bearer ${await token({ sub: account, name: account })}` });

  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", REPORTS_TO_MUTE: "2", REPORT_MUTE_MINUTES: "5" });
    http = world.url.replace("ws://", "http://");
  });
  after(() => world.stop());

  it("mutes the account as a moderator would, listed with why, once two accounts reported it; two devices of one account count once", async () => {
    const troll = await joinAs("troll-2");
    const reporter = await joinAs("reporter-a", troll.room.roomId);
    const reportersPhone = await joinAs("reporter-a", troll.room.roomId);
    const other = await joinAs("reporter-b", troll.room.roomId);
    let filed = 0;
    for (const player of [reporter, reportersPhone, other]) player.room.onMessage("reported", () => filed++);
    reporter.room.send("report", { player: troll.room.sessionId });
    reportersPhone.room.send("report", { player: troll.room.sessionId });
    await waitFor("one account's two reports", () => filed === 2);
    troll.room.send("chat", { text: "한 계정이 두 번" });
    await waitFor("still heard", () => stateOf(other).chat.some((line) => line.text === "한 계정이 두 번"));

    other.room.send("report", { player: troll.room.sessionId });
    let mute: { account: string; reason?: string } | undefined;
    for (let tries = 0; tries < 50 && !mute; tries++, await sleep(100)) {
      const { mutes } = (await (await fetch(`${http}/api/mutes`, { headers: admin })).json()) as { mutes: { account: string; reason?: string }[] };
      mute = mutes.find((m) => m.account === "troll-2");
    }
    assert.equal(mute?.reason, "2명이 신고", "listed as a moderator's mute is, with why");
    troll.room.send("chat", { text: "막혔나" });
    await waitFor("the account muted in the room", () => troll.errors.some((error) => error.code === "muted"));
    // Lifted: the local presence keeps a timer for the mute, which would hold mocha's exit as long.
    assert.equal((await fetch(`${http}/api/mutes/troll-2`, { method: "DELETE", headers: admin })).status, 204);
    await Promise.all([troll, reporter, reportersPhone, other].map((player) => player.room.leave()));
  });
});

// Their own servers, one after the other (rooms are defined once a process): a scripted brain whose every answer opens the shop.
describe("receipts of NPC actions for signed-in players (ACTION_SECRET)", function () {
  const ACTION_SECRET = "the game's backend checks receipts with this";
  /** The action a signed-in player gets when they ask, in a world started with `env`. */
  const actionIn = async (env: Record<string, string>) => {
    const world = await startTestWorld({ AUTH_SECRET: SECRET, ...env });
    try {
      await world.bus.workerChannel().start(async (questions: QuestionMessage[]) =>
        questions.map((q) => ({ ...scriptedAnswer(q, "검을 보여 주지."), action: "open_shop" })));
      const player = await joinWorld(world.url, {}, undefined, { authorization: `Bearer ${await token({ sub: "acct-7", name: "영희" })}` });
      const got: NpcActionNotice[] = [];
      let lineShown = false;
      player.room.onMessage("npc_action", (notice: NpcActionNotice) => {
        got.push(notice);
        lineShown = stateOf(player).chat.some((line) => line.id === notice.lineId);
      });
      player.room.send("chat", { text: "@kobot 뭐 팔아요?" });
      const [notice] = await waitFor("the action", () => got.length === 1 && got);
      await player.room.leave();
      return { notice: notice!, player, lineShown };
    } finally {
      await world.stop();
    }
  };

  it("names the player's account as the receipt's subject, and sends no receipt without ACTION_SECRET", async () => {
    const { notice, player, lineShown } = await actionIn({ ACTION_SECRET });
    const claims = await readActionReceipt(notice.receipt!, ACTION_SECRET);
    assert.deepEqual([claims.account, claims.player, claims.name, claims.action, claims.line], ["acct-7", player.room.sessionId, "영희", "open_shop", notice.lineId]);
    assert.ok(lineShown, "the line is in the state as its action comes");
    const unsigned = await actionIn({});
    assert.deepEqual([unsigned.notice.action, unsigned.notice.receipt], ["open_shop", undefined]);
    assert.ok(unsigned.lineShown, "the line is in the state as its action comes, without a receipt to sign too");
  });
});
