import { isAbsolute, relative } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * A command's options, or its usage and exit 2 on one it does not take: parseArgs threw a Node error with its stack
 * for a mistyped option ("--acount"). `--help` (`-h`) says the usage and exits 0, on stderr as `npm run ask`'s: what
 * `npm run token` writes on stdout is a token.
 */
export function argsOr<T extends ParseArgsConfig>(usage: string, config: T): Args<T> {
  const args = config.args ?? process.argv.slice(2);
  const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args; // after `--`, a question may be "-h"
  if (options.some((arg) => arg === "--help" || arg === "-h")) {
    console.error(usage);
    process.exit(0);
  }
  const refused = (error: unknown): never => {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  };
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    return refused(error);
  }
  const number = (name: string, rule?: NumberRule) => {
    try {
      return numberOption(parsed.values, name, rule);
    } catch (error) {
      if (!(error instanceof OptionError)) throw error;
      return refused(error);
    }
  };
  return { ...parsed, number };
}

/** parseArgs's result, and `number(name, rule)`: an option's number (numberOption), or its usage and exit 2 on a bad one. */
export type Args<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>> & {
  number(name: keyof ReturnType<typeof parseArgs<T>>["values"] & string, rule?: NumberRule): number;
};

/** What an option's number may be: its bounds (both in), whole or not. */
export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A command-line value refused: said with the usage, exit 2, no stack. */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OptionError";
  }
}

/**
 * Option `name`'s value as a number within `rule`, else an OptionError naming the option, the rule and the value:
 * Number("") is 0 (`--bots ''` ran a load test of no bots and printed NaN tables; `--top-k ''` turned top-k off),
 * Number("1e999") Infinity, and a missing or boolean value is no number either.
 */
export function numberOption(values: Readonly<Record<string, unknown>>, name: string, rule: NumberRule = {}): number {
  const raw = values[name];
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  const { min = -Infinity, max = Infinity, integer = false } = rule;
  if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) return value;
  const bounds = min > -Infinity && max < Infinity ? ` from ${min} to ${max}` : min > -Infinity ? ` ≥ ${min}` : max < Infinity ? ` ≤ ${max}` : "";
  throw new OptionError(`--${name} needs ${integer ? "a whole number" : "a number"}${bounds}, got ${raw === undefined ? "none" : JSON.stringify(raw)}`);
}

/**
 * `argsOr` with a usage written from the options themselves, for the benchmarks and tools whose options are all
 * they take: each option with its default (a path relative to where it runs).
 */
export function commandArgs<T extends ParseArgsConfig>(command: string, config: T): Args<T> {
  return argsOr(usageOf(command, config), config);
}

export function usageOf(command: string, config: ParseArgsConfig): string {
  const options = Object.entries(config.options ?? {}).map(([name, option]) => {
    const given = option.default === undefined ? "VALUE" : [option.default].flat().map((value) => (typeof value === "string" && isAbsolute(value) ? relative(process.cwd(), value) : String(value))).join(",");
    return `[--${name}${option.type === "string" ? ` ${given}` : ""}]${option.multiple ? "…" : ""}`;
  });
  return `usage: ${command}${options.length > 0 || config.allowPositionals ? " --" : ""}${options.map((option) => ` ${option}`).join("")}${config.allowPositionals ? " [ARG…]" : ""}`;
}
