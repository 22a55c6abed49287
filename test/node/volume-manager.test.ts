import { describe, expect, it } from "vitest";
import { constant } from "../../src/core/distributions.js";
import { RandomStreams } from "../../src/core/random.js";
import { NS_PER } from "../../src/core/time.js";
import { ATTACH_MOUNT_POLL_NS, nextTick, VolumeManager } from "../../src/node/volume-manager.js";

const ms = NS_PER.ms;
const S = NS_PER.s;

function manager(localMs: number, attachS: number, mountMs: number): VolumeManager {
  return new VolumeManager(
    new RandomStreams(3),
    { localMount: constant(localMs * ms), csiAttach: constant(attachS * S), csiMount: constant(mountMs * ms) },
    4,
  );
}

describe("volume manager: WaitForAttachAndMount", () => {
  it("nextTick finds the first grid instant at or after t", () => {
    expect(nextTick(0, 100, 30)).toBe(30);
    expect(nextTick(30, 100, 30)).toBe(30);
    expect(nextTick(31, 100, 30)).toBe(130);
  });

  it("a pod without volumes does not wait", () => {
    expect(manager(5, 5, 500).readyAt(0, 0, 0, 0, 7 * S)).toBe(7 * S);
  });

  it("a projected token volume costs one 300 ms poll interval (populator and reconciler under 100 ms each)", () => {
    const vm = manager(5, 5, 500);
    for (let node = 0; node < 4; node++) expect(vm.readyAt(node, 1, 0, 0, 10 * S)).toBe(10 * S + ATTACH_MOUNT_POLL_NS);
  });

  it("an attachable volume waits for the attach, then the next reconciler pass, then the mount, rounded up to the poll", () => {
    const vm = manager(5, 5, 1000);
    const now = 1 * S;
    // Attach from 0 s ends at 5 s; the reconciler sees it within 100 ms; mount 1 s: mounted in (6.0, 6.1] s.
    const ready = vm.readyAt(0, 1, 1, 0, now);
    expect((ready - now) % ATTACH_MOUNT_POLL_NS).toBe(0);
    expect(ready).toBeGreaterThanOrEqual(6 * S);
    expect(ready).toBeLessThan(6 * S + 100 * ms + ATTACH_MOUNT_POLL_NS);
  });
});
