/**
 * An error as one line, for a command's last words on stderr: its message, then each cause's where it adds to it
 * (kafkajs wraps a connection error in errors of the same message). No stack: the lines under it read as a crash,
 * and a person reading "failed to start" needs the why, not where in node_modules it was noticed.
 */
export function errorLine(error: unknown): string {
  const words: string[] = [];
  let cause = error;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const text = cause instanceof Error ? cause.message || cause.name : String(cause);
    if (!words.some((said) => said.includes(text))) words.push(text);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return words.join(": ").replace(/\s*\n\s*/g, " ");
}
