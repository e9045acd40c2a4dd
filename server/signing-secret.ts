import { z } from "zod";

/**
 * A signing secret: a space or newline at its ends (a secret mounted from a file) is refused, as the backend or the
 * login service that trims it would find every signature wrong. The server's rule (config.ts), and `npm run token`'s:
 * a token signed with a secret the server refuses is one no server takes.
 */
export const signingSecret = () =>
  z.string().min(32, "at least 32 characters").max(1000, "at most 1000 characters").refine((text) => text === text.trim(), "no spaces or newlines at its ends").optional();

/** What is wrong with `text` as a signing secret, in the server's words; undefined when the server takes it. */
export function signingSecretProblem(text: string): string | undefined {
  const parsed = signingSecret().safeParse(text);
  return parsed.success ? undefined : parsed.error.issues[0]!.message;
}
