import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * A command's options, or its usage and exit 2 on one it does not take: parseArgs threw a Node error with its stack
 * for a mistyped option ("--acount"). `--help` (`-h`) says the usage and exits 0, on stderr as `npm run ask`'s: what
 * `npm run token` writes on stdout is a token.
 */
export function argsOr<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  if ((config.args ?? process.argv.slice(2)).some((arg) => arg === "--help" || arg === "-h")) {
    console.error(usage);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
