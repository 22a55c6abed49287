import { describe, expect, test } from "vitest";
import { parseSchedulerConfig } from "../../src/scheduler/config.js";
import { ExplainRecord } from "../../src/scheduler/framework.js";
import { seededRng, StandaloneCluster } from "../../src/scheduler/standalone.js";
import { cluster, makeNode, makePod, ref } from "./fixtures/cluster.js";

const nodes = (n: number, cpu = "4") =>
  Array.from({ length: n }, (_, i) => makeNode(`node-${i}`, { cpu, memory: "16Gi" }));
const small = () => makePod().req({ cpu: "100m", memory: "100Mi" }).get();

describe("Framework cycle", () => {
  test("filters from the rotating start and stops at numFeasibleNodesToFind", () => {
    const { c, fw } = cluster(nodes(1000));
    const rot = { next: 990 };
    const r = fw.schedule(ref(c, small()), rot, 0);
    // 1,000 nodes: 42% -> 420 feasible nodes to find; all fit, so 420 examined.
    expect([r.want, r.examined, r.feasible]).toEqual([420, 420, 420]);
    expect(rot.next).toBe((990 + 420) % 1000);
    // The chosen node is among those examined: positions 990..1409 mod 1000.
    const pos = (r.node - 990 + 1000) % 1000;
    expect(pos).toBeLessThan(420);
  });
  test("examined counts rejected nodes up to the node that completed the set", () => {
    // Every other node is full.
    const ns = Array.from({ length: 400 }, (_, i) =>
      makeNode(`n${i}`, { cpu: i % 2 === 0 ? "4" : "0", memory: "16Gi" }),
    );
    const { c, fw } = cluster(ns);
    const r = fw.schedule(ref(c, small()), { next: 0 }, 0);
    // 400 nodes: 50 - 3 = 47% -> 188 feasible to find; found at even positions 0..374 -> 375 examined.
    expect([r.want, r.feasible, r.examined]).toEqual([188, 188, 375]);
  });
  test("one feasible node skips scoring; no node gives a FitError with upstream's message", () => {
    const { c, fw } = cluster([makeNode("a", { cpu: "1", memory: "1Gi" }), makeNode("b", { cpu: "8", memory: "1Gi" })]);
    const big = makePod().req({ cpu: "2", memory: "100Mi" }).get();
    const r = fw.schedule(ref(c, big), { next: 0 }, 0);
    expect([r.code, r.feasible, c.nodes.names[r.node], Number.isNaN(r.score)]).toEqual([0, 1, "b", true]);
    const huge = makePod().req({ cpu: "16", memory: "2Gi" }).get();
    const f = fw.schedule(ref(c, huge), { next: 0 }, 0);
    expect(f.code).toBe(2);
    expect(fw.failureMessage(ref(c, huge))).toBe("0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory.");
    expect(fw.pluginNames(f.unschedulablePlugins)).toEqual(["NodeResourcesFit"]);
  });
  test("scores are normalized, weighted and summed; the best node wins", () => {
    const { c, fw } = cluster(
      [makeNode("busy", { cpu: "4", memory: "16Gi" }), makeNode("idle", { cpu: "4", memory: "16Gi" })],
      [[makePod("e").req({ cpu: "3", memory: "8Gi" }).get(), "busy"]],
    );
    const ex = new ExplainRecord();
    const r = fw.schedule(ref(c, small()), { next: 0 }, 0, ex);
    expect(c.nodes.names[r.node]).toBe("idle");
    for (let j = 0; j < 2; j++) {
      const sum = ex.scores.reduce((s, p) => s + p.normalized[j]! * p.weight, 0);
      expect(ex.totals[j]).toBe(sum);
    }
  });
  test("ties are broken uniformly (reservoir sampling)", () => {
    const c = new StandaloneCluster(nodes(4));
    const fw = c.framework(undefined, 0, seededRng(7));
    const counts = [0, 0, 0, 0];
    const pod = ref(c, small());
    for (let i = 0; i < 4000; i++) counts[fw.schedule(pod, { next: 0 }, 0).node]!++;
    for (const k of counts) expect(Math.abs(k - 1000)).toBeLessThan(120);
  });
  test("the fused resources-only path chooses as filter then score does", () => {
    const cfg = parseSchedulerConfig(
      "c.yaml",
      'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - plugins:\n      multiPoint:\n        enabled: [{ name: PrioritySort }, { name: NodeResourcesFit, weight: 3 }, { name: DefaultBinder }]\n        disabled: [{ name: "*" }]\n',
    );
    const ns = Array.from({ length: 300 }, (_, i) =>
      makeNode(`n${i}`, { cpu: String(2 + (i % 7)), memory: `${4 + (i % 5)}Gi` }),
    );
    const c = new StandaloneCluster(ns);
    for (let i = 0; i < 300; i++)
      c.addExistingPod(
        makePod(`e${i}`)
          .req({ cpu: `${(i * 37) % 1500}m`, memory: `${(i * 53) % 3000}Mi` })
          .get(),
        `n${(i * 11) % 300}`,
      );
    const pod = ref(c, makePod().req({ cpu: "700m", memory: "1Gi" }).get());
    const a = c.framework(cfg, 0, seededRng(3));
    const b = c.framework(cfg, 0, seededRng(3));
    const rotA = { next: 17 };
    const rotB = { next: 17 };
    for (let i = 0; i < 50; i++) {
      const ra = a.schedule(pod, rotA, 0);
      const nodeA = ra.node;
      const scoreA = ra.score;
      const rb = b.schedule(pod, rotB, 0, new ExplainRecord()); // explain disables the fused path
      expect([nodeA, scoreA, rotA.next]).toEqual([rb.node, rb.score, rotB.next]);
    }
  });
  test("explain's per-node statuses agree with the batch kernels", () => {
    const ns = [
      makeNode("a", { cpu: "1", memory: "1Gi" }, { taints: [{ key: "x", value: "y", effect: "NoSchedule" }] }),
      makeNode("b", { cpu: "1", memory: "1Gi" }, { unschedulable: true }),
      makeNode("c", { cpu: "0", memory: "1Gi" }),
      makeNode("d", { cpu: "2", memory: "2Gi" }),
    ];
    const { c, fw } = cluster(ns);
    const ex = new ExplainRecord();
    const r = fw.schedule(ref(c, small()), { next: 0 }, 0, ex);
    expect(c.nodes.names[r.node]).toBe("d");
    const last = (n: number) => fw.filterStatuses(fw.state, ref(c, small()), n).at(-1)!;
    expect([0, 1, 2].map((n) => [last(n).plugin, last(n).status.codeName])).toEqual([
      ["TaintToleration", "UnschedulableAndUnresolvable"],
      ["NodeUnschedulable", "UnschedulableAndUnresolvable"],
      ["NodeResourcesFit", "Unschedulable"],
    ]);
  });
});
