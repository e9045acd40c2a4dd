/**
 * An error as one line, for a command's last words on stderr: its message, then each cause's where it adds to it
 * (kafkajs wraps a connection error in errors of the same message). No stack: the lines under it read as a crash,
 * and a person reading "failed to start" needs the why, not where in node_modules it was noticed.
 */
export function errorLine(error: unknown): string {
  const words: string[] = [];
  let cause = error;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const text = ownWords(cause);
    if (!words.some((said) => said.includes(text))) words.push(text);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return words.join(": ").replace(/\s*\n\s*/g, " ");
}

function ownWords(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's connect to a name with two addresses (::1 and 127.0.0.1) fails with an AggregateError that has no
  // message of its own: what went wrong is in its errors.
  if (!error.message && error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(ownWords))].join("; ");
  }
  // A bug's own kind says what went wrong ("TypeError: x is not a function"); a library's error class names none.
  if (PROGRAMMING_ERRORS.has(error.name) && error.message) return `${error.name}: ${error.message}`;
  return error.message || error.name;
}

const PROGRAMMING_ERRORS = new Set(["TypeError", "ReferenceError", "SyntaxError", "RangeError"]);
