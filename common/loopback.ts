/** Whether a client address is this host's: load-test bots, benchmarks, a proxy on the same machine. */
export const isLoopback = (address: string): boolean =>
  address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
