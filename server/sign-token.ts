/**
 * Signs a player's token with AUTH_SECRET, as a game's login would: for trying a server that takes only signed-in
 * players (the browser client reads it from `#token=…`), and for bots. A real game signs tokens in its own login.
 *   AUTH_SECRET=… npm run token -- --account player-1 [--name 영희] [--hours 1] [--issuer …] [--audience …]
 */
import { argsOr } from "../common/cli-args.js";
import { ENV_SCHEMA } from "./config.js";
import { accountProblem, signToken } from "./player-accounts.js";
import { signingSecretProblem } from "./signing-secret.js";

const USAGE = "usage: AUTH_SECRET=… npm run token -- --account ID [--name NAME] [--hours H] [--issuer ISS] [--audience AUD]";

const { values } = argsOr(USAGE, {
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
// No longer than the server takes (AUTH_MAX_TOKEN_DAYS, as set here): a token it refuses is no use.
const maxDays = ENV_SCHEMA.shape.AUTH_MAX_TOKEN_DAYS.safeParse(process.env.AUTH_MAX_TOKEN_DAYS?.trim() || undefined);
// A minute to that: Infinity and 1e21 passed "> 0" and then failed in the signing with a stack trace.
// The server's rule (config.ts): a token signed with a secret it refuses (too short, a space at an end) is one no server takes.
const secretProblem = secret ? signingSecretProblem(secret) : undefined;
const accountIssue = values.account ? accountProblem(values.account) : undefined;
const problem = !secret
  ? "AUTH_SECRET is not set"
  : secretProblem
    ? `AUTH_SECRET must have ${secretProblem}, as the server's`
    : !values.account
      ? "--account is missing"
      : accountIssue
        ? `--account ${accountIssue}, as the server's sign-in refuses`
        : !maxDays.success
          ? "AUTH_MAX_TOKEN_DAYS must be a whole number of days from 1 to 365, as the server's"
          : !(hours >= 1 / 60 && hours <= maxDays.data * 24)
            ? `--hours must be a number from 0.017 (a minute) to ${maxDays.data * 24} (AUTH_MAX_TOKEN_DAYS, ${maxDays.data} days: the server refuses longer)`
            : undefined;
if (problem) {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}
console.log(await signToken(secret!, { account: values.account!, name: values.name, hours, issuer: values.issuer, audience: values.audience }));
