import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * A command's options, or its usage and exit 2 on one it does not take: parseArgs threw a Node error with its stack
 * for a mistyped option ("--acount").
 */
export function argsOr<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
