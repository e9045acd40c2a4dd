/**
 * Whether process `pid` of this machine runs: signal 0 checks without signalling. EPERM is one that runs as another
 * user; only ESRCH says none is there. An error no system gives for signal 0 counts as running: a lock or a copy is
 * not taken from a process that may be using it. Not a positive whole number is no process (kill(0) and kill(-1)
 * would ask about a group, and say yes).
 */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
