import { describe, expect, it } from "vitest";
import { HostLocalIpam, hostLocalAssignable } from "../../src/node/ipam.js";

describe("host-local IPAM", () => {
  it("assignable addresses exclude network, broadcast and the .1 gateway", () => {
    expect(hostLocalAssignable(24)).toBe(253);
    expect(hostLocalAssignable(28)).toBe(13);
    expect(hostLocalAssignable(30)).toBe(1);
    expect(() => hostLocalAssignable(31)).toThrow(/too small/);
    expect(() => hostLocalAssignable(32)).toThrow(/too small/);
  });

  it("a /28 gives 13 addresses: 20 allocations yield exactly 7 failures; release makes room", () => {
    const ipam = new HostLocalIpam(2, 28);
    let failures = 0;
    for (let i = 0; i < 20; i++) if (!ipam.allocate(0)) failures++;
    expect(failures).toBe(20 - 13);
    expect(ipam.used(0)).toBe(13);
    expect(ipam.allocate(1)).toBe(true); // other node unaffected
    ipam.release(0);
    ipam.release(0);
    expect(ipam.allocate(0)).toBe(true);
    expect(ipam.allocate(0)).toBe(true);
    expect(ipam.allocate(0)).toBe(false);
  });

  it("per-node prefix lengths, shared free column, and a release without allocation throws", () => {
    const col = new Int32Array(3).fill(99);
    const ipam = new HostLocalIpam(3, [24, 28, 30], col);
    expect(Array.from(col)).toEqual([253, 13, 1]);
    ipam.allocate(2);
    expect(col[2]).toBe(0);
    expect(ipam.allocate(2)).toBe(false);
    ipam.release(2);
    expect(() => ipam.release(2)).toThrow(/no address/);
  });
});
