import { isAbsolute, relative } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * A command's options, or its usage and exit 2 on one it does not take: parseArgs threw a Node error with its stack
 * for a mistyped option ("--acount"). `--help` (`-h`) says the usage and exits 0, on stderr as `npm run ask`'s: what
 * `npm run token` writes on stdout is a token.
 */
export function argsOr<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args; // after `--`, a question may be "-h"
  if (options.some((arg) => arg === "--help" || arg === "-h")) {
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

/**
 * `argsOr` with a usage written from the options themselves, for the benchmarks and tools whose options are all
 * they take: each option with its default (a path relative to where it runs).
 */
export function commandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  return argsOr(usageOf(command, config), config);
}

export function usageOf(command: string, config: ParseArgsConfig): string {
  const options = Object.entries(config.options ?? {}).map(([name, option]) => {
    const given = option.default === undefined ? "VALUE" : [option.default].flat().map((value) => (typeof value === "string" && isAbsolute(value) ? relative(process.cwd(), value) : String(value))).join(",");
    return `[--${name}${option.type === "string" ? ` ${given}` : ""}]${option.multiple ? "…" : ""}`;
  });
  return `usage: ${command}${options.length > 0 || config.allowPositionals ? " --" : ""}${options.map((option) => ` ${option}`).join("")}${config.allowPositionals ? " [ARG…]" : ""}`;
}
