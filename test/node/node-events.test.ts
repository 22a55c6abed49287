import { describe, expect, it } from "vitest";
import { Interner } from "../../src/cluster/interner.js";
import { NodeTable, type NodeSpec } from "../../src/cluster/node-table.js";
import { PodTable } from "../../src/cluster/pod-table.js";
import { Engine } from "../../src/core/engine.js";
import type { ApiServer } from "../../src/apiserver/api-server.js";
import type { Kubelets } from "../../src/node/kubelet.js";
import { NodeEvents } from "../../src/node/node-events.js";
import { addedNodeCount, inPool, selectNodes } from "../../src/node/node-selection.js";
import { PodsByNode } from "../../src/node/pods-by-node.js";
import { AllRunningCondition } from "../../src/sim/all-running.js";
import type { WorkloadStep } from "../../src/scenario/sections/workload.js";

function table(labels: Interner): NodeTable {
  const zone = labels.intern("topology.kubernetes.io/zone");
  const specs: NodeSpec[] = [];
  const add = (name: string, z: string, absent = false) =>
    specs.push({
      name,
      allocatable: [8000, 1e9, 110, 0],
      labels: [[zone, labels.intern(z)]],
      taints: [],
      images: [],
      unschedulable: false,
      podCidrSize: 253,
      absent,
    });
  add("web-0", "a");
  add("web-1", "b");
  add("web-2-0", "a"); // pool web-2
  add("web-2", "a", true); // reserved for addNodes
  add("web-3", "b", true);
  return new NodeTable(specs, 4, 1);
}

describe("node selection and node events", () => {
  it("pool membership is <pool>-<n> exactly", () => {
    expect(inPool("web-0", "web")).toBe(true);
    expect(inPool("web-2-0", "web")).toBe(false);
    expect(inPool("web-2-0", "web-2")).toBe(true);
  });

  it("reserved rows start absent and NotReady; selections skip them; count keeps the first N", () => {
    const labels = new Interner();
    const nodes = table(labels);
    expect(Array.from(nodes.present)).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(nodes.ready)).toEqual([1, 1, 1, 0, 0]);
    const sel = {
      pool: undefined,
      labels: new Map([["topology.kubernetes.io/zone", "a"]]),
      names: [],
      count: undefined,
    };
    expect(selectNodes(nodes, labels, sel)).toEqual([0, 2]);
    expect(selectNodes(nodes, labels, { ...sel, count: 1 })).toEqual([0]);
    expect(selectNodes(nodes, labels, { pool: "web", labels: new Map(), names: [], count: undefined })).toEqual([0, 1]);
  });

  it("addNodes brings reserved rows of the pool in, Ready, and tells the listeners; too few rows throw", () => {
    const labels = new Interner();
    const nodes = table(labels);
    const changed: number[] = [];
    const engine = new Engine();
    const ev = new NodeEvents({
      engine,
      nodes,
      pods: new PodTable(16),
      labels,
      api: {} as ApiServer,
      kubelets: { down: new Uint8Array(5) } as unknown as Kubelets,
      podsByNode: new PodsByNode(5),
      nodeChanges: { onNodeChanged: (n) => changed.push(n) },
      allRunning: new AllRunningCondition(engine, 0, true, []),
      deployments: [],
      replicaSets: [],
    });
    ev.apply({ kind: "addNodes", pool: "web", count: 1 }, 0);
    expect(Array.from(nodes.present)).toEqual([1, 1, 1, 1, 0]);
    expect(nodes.ready[3]).toBe(1);
    expect(changed).toEqual([3]);
    ev.apply({ kind: "cordon", nodes: { pool: "web", labels: new Map(), names: ["web-1"], count: undefined } }, 0);
    expect(Array.from(nodes.unschedulable)).toEqual([0, 1, 0, 0, 0]);
    expect(() => ev.apply({ kind: "addNodes", pool: "web", count: 2 }, 0)).toThrow(/room for 1 more/);
  });

  it("addedNodeCount sums a pool's addNodes steps (rows buildNodes must reserve)", () => {
    const steps: WorkloadStep[] = [
      { atNs: 0, action: { kind: "addNodes", pool: "web", count: 2 } },
      { atNs: 1, action: { kind: "addNodes", pool: "db", count: 5 } },
      { atNs: 2, action: { kind: "addNodes", pool: "web", count: 3 } },
    ];
    expect(addedNodeCount(steps, "web")).toBe(5);
    expect(addedNodeCount(steps, "gpu")).toBe(0);
  });
});
