/**
 * Signs a player's token with AUTH_SECRET, as a game's login would: for trying a server that takes only signed-in
 * players (the browser client reads it from `#token=…`), and for bots. A real game signs tokens in its own login.
 *   AUTH_SECRET=… npm run token -- --account player-1 [--name 영희] [--hours 1] [--issuer …] [--audience …]
 */
import { parseArgs } from "node:util";

import { signToken } from "./player-accounts.js";

const USAGE = "usage: AUTH_SECRET=… npm run token -- --account ID [--name NAME] [--hours H] [--issuer ISS] [--audience AUD]";

const { values } = parseArgs({
  options: {
    account: { type: "string" },
    name: { type: "string" },
    hours: { type: "string", default: "1" },
    issuer: { type: "string", default: process.env.AUTH_ISSUER },
    audience: { type: "string", default: process.env.AUTH_AUDIENCE },
  },
});
const secret = process.env.AUTH_SECRET;
const hours = Number(values.hours);
// A minute to a year: Infinity and 1e21 passed "> 0" and then failed in the signing with a stack trace.
if (!secret || !values.account || !(hours >= 1 / 60 && hours <= 8760)) {
  console.error(`${!secret ? "AUTH_SECRET is not set" : !values.account ? "--account is missing" : "--hours must be a number from 1/60 (a minute) to 8760 (a year)"}\n${USAGE}`);
  process.exit(2);
}
console.log(await signToken(secret, { account: values.account, name: values.name, hours, issuer: values.issuer, audience: values.audience }));
