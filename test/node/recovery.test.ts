import { describe, expect, it } from "vitest";
import { PodStage, PodTable } from "../../src/cluster/pod-table.js";
import { recoveryTimes } from "../../src/node/recovery.js";

/** Pods as [node, runningAt, deletionAt (NaN: never)]. */
function table(rows: [number, number, number][]): PodTable {
  const t = new PodTable(16);
  for (const [node, run, del] of rows) {
    const p = t.add(0, t.size, 0);
    t.node[p] = node;
    t.mark(p, PodStage.running, run);
    t.deletionNs[p] = del;
  }
  return t;
}

describe("time to recovery", () => {
  it("a failed node's pods stop counting at the failure; recovery is when the replacements all run, after the last eviction", () => {
    // Node 1 fails at 100; its two pods are evicted at 400 and 410; replacements run at 405 and 420.
    const pods = table([
      [0, 10, NaN],
      [1, 11, 400],
      [1, 12, 410],
      [0, 405, NaN],
      [2, 420, NaN],
    ]);
    const failed = Float64Array.from([NaN, 100, NaN]);
    const [r] = recoveryTimes(pods, failed, [{ kind: "failNodes", atNs: 100, nodes: [1] }], 3);
    expect(r).toEqual({
      kind: "failNodes",
      atNs: 100,
      nodes: 1,
      podsEvicted: 2,
      lastEvictionNs: 410,
      recoveredAtNs: 420,
      timeToRecoveryNs: 320,
    });
  });

  it("a disruption that hit no pod recovers at once; one never made good reports null", () => {
    const pods = table([
      [0, 10, NaN],
      [0, 11, NaN],
    ]);
    const failed = Float64Array.from([NaN, 50]);
    expect(recoveryTimes(pods, failed, [{ kind: "failNodes", atNs: 50, nodes: [1] }], 2)[0]!.timeToRecoveryNs).toBe(0);
    const gone = table([
      [0, 10, NaN],
      [1, 11, NaN],
    ]);
    expect(recoveryTimes(gone, failed, [{ kind: "failNodes", atNs: 50, nodes: [1] }], 2)[0]!.recoveredAtNs).toBeNull();
  });
});
