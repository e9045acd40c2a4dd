import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";

import { addressKey } from "../common/address-key.js";
import { isPrivateAddress } from "../common/private-address.js";
import { clientAddressOf, pinClientAddress, pinnedAddressOf } from "../server/http/client-address.js";

const request = (headers: Record<string, string> = {}, remoteAddress = "10.0.0.1") =>
  ({ headers: { ...headers }, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("A client's address", () => {
  it("is the socket's with no proxy in front, whatever headers the client sent", () => {
    const req = request({ "x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8", "x-client-ip": "9.9.9.9" });
    assert.equal(clientAddressOf(req, 0), "10.0.0.1");
    assert.equal(pinClientAddress(req, 0), "10.0.0.1");
    assert.deepEqual(req.headers, { "x-real-ip": "10.0.0.1" }, "the only address header left is the pinned one");
    assert.equal(pinnedAddressOf(req), "10.0.0.1");
  });

  it("behind proxies that append, is the entry that many from the end of X-Forwarded-For", () => {
    const forwarded = { "x-forwarded-for": "6.6.6.6, 10.9.0.1,203.0.113.7 , 198.51.100.2" };
    assert.equal(clientAddressOf(request(forwarded), 1), "198.51.100.2");
    assert.equal(clientAddressOf(request(forwarded), 2), "203.0.113.7");
    assert.equal(clientAddressOf(request(forwarded), 9), "6.6.6.6", "fewer entries than proxies: the farthest");
    const req = request({ ...forwarded, "x-real-ip": "7.7.7.7" });
    pinClientAddress(req, 1);
    assert.equal(pinnedAddressOf(req), "198.51.100.2", "not the X-Real-IP a client sent through the proxy");
  });

  it("behind a proxy that forwards none, is the proxy's socket, and says so", () => {
    const req = request({ "x-real-ip": "7.7.7.7" }, "127.0.0.1");
    assert.equal(clientAddressOf(req, 1), undefined);
    assert.equal(pinClientAddress(req, 1), undefined);
    assert.equal(pinnedAddressOf(req), "127.0.0.1");
  });
});

describe("A private network's address (not counted per address)", () => {
  it("is loopback, RFC 1918, link-local or unique local IPv6, also IPv4-mapped; public addresses are not", () => {
    const private_ = ["127.0.0.1", "127.9.9.9", "::1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.20", "169.254.3.4", "::ffff:10.1.2.3", "::FFFF:192.168.0.1", "fd12:3456::1", "fc00::1", "fe80::1", "0:0:0:0:0:0:0:1", "::ffff:a00:1", "0:0:0:0:0:ffff:10.0.0.1"];
    const public_ = ["8.8.8.8", "172.15.0.1", "172.32.0.1", "192.169.0.1", "11.0.0.1", "192.0.2.2", "203.0.113.7", "100.64.0.1", "::ffff:8.8.8.8", "2001:db8::1", "fe00::1", "fec0::1", "fc::1", "fd::1", "fcd:1::1", "fe8::1", "0:0:0:0:0:ffff:8.8.8.8"];
    for (const address of private_) assert.equal(isPrivateAddress(address), true, address);
    for (const address of public_) assert.equal(isPrivateAddress(address), false, address);
  });
});

describe("The unit a client address is counted in", () => {
  it("is an IPv4 address (also IPv4-mapped, with or without a port) or an IPv6 address's /64", () => {
    const cases: [string, string][] = [
      ["1.2.3.4", "1.2.3.4"],
      ["::ffff:1.2.3.4", "1.2.3.4"],
      ["1.2.3.4:5678", "1.2.3.4"],
      ["2001:db8:1:2::a", "2001:db8:1:2::/64"],
      ["2001:0DB8:0001:0002:0003:0004:0005:0006", "2001:db8:1:2::/64"],
      ["[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"],
      ["2001:db8::1", "2001:db8:0:0::/64"],
      ["fe80::1%eth0", "fe80:0:0:0::/64"],
      ["64:ff9b::1.2.3.4", "64:ff9b:0:0::/64"],
      ["::1", "::1"],
      // Other ways of writing the same addresses: each the same key.
      ["0:0:0:0:0:ffff:1.2.3.4", "1.2.3.4"],
      ["::ffff:0102:0304", "1.2.3.4"],
      ["0:0:0:0:0:0:0:1", "::1"],
      ["2001:db8:1:2:0:0:0:a", "2001:db8:1:2::/64"],
      // Not addresses: counted as written.
      ["not:an:address::with::two", "not:an:address::with::two"],
    ];
    for (const [address, key] of cases) assert.equal(addressKey(address), key, address);
    assert.equal(isPrivateAddress(addressKey("fd12:3456:789a:1::1")), true, "a private /64 is still private");
  });

  it("is what the server pins: a forwarded or socket IPv6 address by its /64", () => {
    const forwarded = request({ "x-forwarded-for": "2001:db8:1:2:aaaa::1" });
    assert.equal(pinClientAddress(forwarded, 1), "2001:db8:1:2::/64");
    assert.equal(pinClientAddress(request({}, "::ffff:203.0.113.7"), 0), "203.0.113.7");
  });
});
