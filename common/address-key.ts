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
  if (lower.startsWith("::ffff:") && lower.includes(".")) return lower.slice(7);
  if (!lower.includes(":") || lower === "::1") return lower;
  const [head = "", tail] = lower.split("::");
  const heads = head ? head.split(":") : [];
  // Hextets the "::" stands for; an IPv4 tail (64:ff9b::1.2.3.4) is counted as one of two: only the /64 is kept.
  const zeros = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - heads.length - tail.split(":").length)).fill("0");
  const prefix = [...heads, ...zeros, ...(tail ? tail.split(":") : [])].slice(0, 4);
  while (prefix.length < 4) prefix.push("0");
  return `${prefix.map((hextet) => hextet.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
