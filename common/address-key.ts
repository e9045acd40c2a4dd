/**
 * The unit a client address is counted in (NPC turns, chat lines, sockets, seats waiting, admin logins): an IPv4
 * address, or an IPv6 address's /64. An ISP gives one subscriber a whole /64, whose devices take new addresses in it
 * at will (privacy addresses): counted one by one, one person could pass as a new player on every join.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, a dual-stack socket's IPv4 client) is its IPv4 address; `::1` stays itself.
 */
export function addressKey(address: string): string {
  // Some proxies forward the client's port too: 1.2.3.4:5678, [2001:db8::1]:5678.
  const host = address.startsWith("[") ? address.slice(1, address.indexOf("]")) : address.replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1");
  const lower = host.toLowerCase().replace(/%.*$/, ""); // a link-local address's zone
  if (!lower.includes(":")) return lower;
  const hextets = hextetsOf(lower);
  if (!hextets) return lower; // not an address: counted as written
  // Read whole, so every way of writing one is one key: ::ffff:a00:1 and 0:0:0:0:0:ffff:10.0.0.1 are 10.0.0.1.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) return [hextets[6]! >> 8, hextets[6]! & 255, hextets[7]! >> 8, hextets[7]! & 255].join(".");
  if (hextets.slice(0, 7).every((h) => h === 0) && hextets[7] === 1) return "::1";
  return `${hextets.slice(0, 4).map((h) => h.toString(16)).join(":")}::/64`;
}

/** An IPv6 address's eight hextets ("::" expanded, an IPv4 tail as two), or undefined if it is not one. */
function hextetsOf(ip: string): number[] | undefined {
  const v4 = /(?<=:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  const octets = v4?.slice(1).map(Number) ?? [];
  if (octets.some((octet) => octet > 255)) return undefined;
  const text = v4 ? `${ip.slice(0, v4.index)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}` : ip;
  const [head = "", tail, ...more] = text.split("::");
  if (more.length > 0) return undefined;
  const heads = head ? head.split(":") : [];
  const tails = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? 0 : 8 - heads.length - tails.length;
  const all = [...heads, ...new Array<string>(Math.max(0, zeros)).fill("0"), ...tails];
  if (zeros < 0 || all.length !== 8 || !all.every((h) => /^[0-9a-f]{1,4}$/.test(h))) return undefined;
  return all.map((h) => parseInt(h, 16));
}
