import { addressKey } from "./address-key.js";

/**
 * Whether a client address is of a private network: this host (load-test bots, benchmarks), a LAN, Docker's gateway,
 * or a proxy or load balancer in front without TRUST_PROXY. No player on the internet reaches the server from one
 * (a TCP handshake cannot be made from a forged source), and one such address may carry a whole population, so it
 * is not counted per address: a load balancer's one address, capped at 64 sockets, would let only 64 players in.
 * Loopback (127/8, ::1), RFC 1918 (10/8, 172.16/12, 192.168/16), link-local (169.254/16, fe80::/10) and unique
 * local IPv6 (fc00::/7); IPv4 also as IPv4-mapped IPv6 (::ffff:10.0.0.1).
 */
export function isPrivateAddress(address: string): boolean {
  // As counted (address-key.ts): lower case, an IPv4-mapped address as its IPv4, an IPv6 one as its /64 (::1 kept).
  const key = addressKey(address);
  const octets = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(key);
  if (octets) {
    const [a, b] = [Number(octets[1]), Number(octets[2])];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  // The first hextet as a number: the key drops its leading zeros ("fc::/64" is 00fc::, no unique local address).
  const first = key.endsWith("::/64") ? parseInt(key.split(":")[0]!, 16) : Number.NaN;
  return key === "::1" || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}
