import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import type { Scenario } from "../../src/scenario/types.js";
import { tmpDir } from "../tmp-dir.js";

// Three DaemonSets beside a Deployment: `agent` everywhere it may go (not the tainted GPU node),
// rolled to a new image with the default maxUnavailable 1; `edge-proxy` on the role=edge nodes,
// rolled with maxSurge 1 and maxUnavailable 0; `gpu-plugin` on the GPU node it tolerates. A
// node joins at 30 s; the nodes are updated at 60 s; n-0 is drained at 120 s.
const MANIFESTS = `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      containers:
        - { name: agent, image: registry.example/agent:1, resources: { requests: { cpu: 100m, memory: 64Mi } } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: edge-proxy }
spec:
  selector: { matchLabels: { app: edge-proxy } }
  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: edge-proxy } }
    spec:
      nodeSelector: { role: edge }
      containers:
        - { name: proxy, image: registry.example/agent:1 }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: gpu-plugin }
spec:
  selector: { matchLabels: { app: gpu-plugin } }
  template:
    metadata: { labels: { app: gpu-plugin } }
    spec:
      tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{ matchExpressions: [{ key: accelerator, operator: Exists }] }]
      containers:
        - { name: plugin, image: registry.example/agent:1 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 4
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: app, image: registry.example/web:1, resources: { requests: { cpu: 500m } } }
`;

const SCENARIO = `name: daemonsets
seed: 1
cluster:
  nodePools:
    - { name: n, count: 3, allocatable: { cpu: 4, memory: 16Gi, pods: 110 } }
    - { name: edge, count: 2, allocatable: { cpu: 4, memory: 16Gi, pods: 110 }, labels: { role: edge } }
    - name: gpu
      count: 1
      allocatable: { cpu: 8, memory: 32Gi, pods: 110 }
      labels: { accelerator: a100 }
      taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
  - { name: registry.example/agent:1, size: 30Mi }
  - { name: registry.example/agent:2, size: 30Mi }
  - { name: registry.example/web:1, size: 50Mi }
workload:
  - { at: 0s, apply: ds.yaml }
  - { at: 30s, addNodes: { pool: n, count: 1 } }
  - { at: 60s, update: { daemonSet: agent, image: registry.example/agent:2 } }
  - { at: 60s, update: { daemonSet: edge-proxy, image: registry.example/agent:2 } }
  - { at: 120s, drain: { names: [n-0] } }
stop: { when: allRunning, timeLimit: 30m }
`;

interface Row {
  pod: string;
  owner: string;
  ownerKind: string;
  node: string | null;
  scheduled: number | null;
  created: number;
  running: number | null;
  deletion: number | null;
}

function runIn(name: string, manifests: string, scenario: string) {
  const dir = tmpDir(`simctl-${name}-`);
  mkdirSync(join(dir, "in"));
  writeFileSync(join(dir, "in", "ds.yaml"), manifests);
  writeFileSync(join(dir, "in", "scenario.yaml"), scenario);
  const run = runScenario(loadScenario(join(dir, "in", "scenario.yaml")), { outRoot: join(dir, "out") });
  const outDir = join(dir, "out", `${run.summary.scenario}-1`);
  const pods = tableFromIPC(readFileSync(join(outDir, "pods.arrow")));
  const col = (c: string) => {
    const v = pods.getChild(c)!;
    return Array.from({ length: v.length }, (_, i) => v.get(i) as unknown);
  };
  const num = (v: unknown) => (v === null ? null : Number(v));
  const rows: Row[] = Array.from({ length: pods.numRows }, (_, i) => ({
    pod: String(col("pod")[i]),
    owner: String(col("deployment")[i]),
    ownerKind: String(col("owner_kind")[i]),
    node: col("node")[i] === null ? null : String(col("node")[i]),
    scheduled: num(col("scheduled_ns")[i]),
    created: Number(col("created_ns")[i]),
    running: num(col("running_ns")[i]),
    deletion: num(col("deletion_ns")[i]),
  }));
  return { run, rows, outDir };
}

const { run, rows } = runIn("daemonsets", MANIFESTS, SCENARIO);
const of = (owner: string) => rows.filter((r) => r.owner === owner);
const live = (owner: string) => of(owner).filter((r) => r.deletion === null);
const nodesOf = (list: readonly Row[]) => list.map((r) => r.node).sort();
const S = 1e9;

/** The most nodes of `nodes` without an available pod (Running, not terminating) of `list` at any instant from `fromNs`. */
function peakUnavailable(list: readonly Row[], nodes: readonly string[], fromNs: number): number {
  const times = [...new Set(list.flatMap((r) => [r.running, r.deletion]).filter((t): t is number => t !== null))];
  let peak = 0;
  for (const t of times.filter((x) => x >= fromNs)) {
    const up = (n: string) =>
      list.some((r) => r.node === n && r.running !== null && r.running <= t && (r.deletion === null || r.deletion > t));
    peak = Math.max(peak, nodes.filter((n) => !up(n)).length);
  }
  return peak;
}

describe("DaemonSets through the DaemonSet controller", () => {
  const eligible = ["edge-0", "edge-1", "n-0", "n-1", "n-2", "n-3"];

  test("exactly one pod per eligible node, including the node added mid-run", () => {
    expect(nodesOf(live("agent"))).toEqual(eligible);
    // Before the update: one pod per node as well, n-3's created once it joined at 30 s.
    const first = of("agent").filter((r) => r.created < 60 * S);
    expect(nodesOf(first)).toEqual(eligible);
    const added = first.find((r) => r.node === "n-3")!;
    expect(added.created).toBeGreaterThanOrEqual(30 * S);
    expect(added.created).toBeLessThan(31 * S);
    expect(of("agent").every((r) => r.ownerKind === "DaemonSet" && /^agent-[a-z0-9]{5}$/.test(r.pod))).toBe(true);
  });

  test("the tainted node gets no pod of a DaemonSet without the toleration; one that tolerates it does", () => {
    expect(of("agent").some((r) => r.node === "gpu-0")).toBe(false);
    expect(nodesOf(of("gpu-plugin"))).toEqual(["gpu-0"]);
  });

  test("nodeSelector is respected", () => {
    expect(nodesOf(live("edge-proxy"))).toEqual(["edge-0", "edge-1"]);
    expect(of("edge-proxy").every((r) => r.node === "edge-0" || r.node === "edge-1")).toBe(true);
  });

  test("the default scheduler binds each pod to the node its node affinity names", () => {
    const daemon = rows.filter((r) => r.ownerKind === "DaemonSet");
    expect(daemon.every((r) => r.scheduled !== null && r.node !== null)).toBe(true);
  });

  test("a rolling update never has more than maxUnavailable nodes unavailable", () => {
    const agent = of("agent");
    // Every node was rolled: 6 old pods deleted, 6 new ones created after the update.
    expect(agent.filter((r) => r.created >= 60 * S)).toHaveLength(6);
    expect(agent.filter((r) => r.created < 60 * S && r.deletion !== null)).toHaveLength(6);
    expect(peakUnavailable(agent, eligible, 60 * S)).toBe(1);
    // Without surge a node's new pod is created only once its old one is gone.
    for (const n of eligible) {
      const [old, fresh] = agent.filter((r) => r.node === n).sort((a, b) => a.created - b.created);
      expect(fresh!.created).toBeGreaterThan(old!.deletion!);
    }
  });

  test("with maxSurge 1 and maxUnavailable 0 the new pod runs beside the old one until it is available", () => {
    const proxy = of("edge-proxy");
    expect(proxy).toHaveLength(4);
    expect(peakUnavailable(proxy, ["edge-0", "edge-1"], 60 * S)).toBe(0);
    for (const n of ["edge-0", "edge-1"]) {
      const [old, fresh] = proxy.filter((r) => r.node === n).sort((a, b) => a.created - b.created);
      expect(fresh!.created).toBeLessThan(old!.deletion!);
      expect(old!.deletion!).toBeGreaterThanOrEqual(fresh!.running!);
    }
    // One surge node at a time: the second node's new pod comes after the first node's old pod went.
    const fresh = proxy.filter((r) => r.created >= 60 * S).sort((a, b) => a.created - b.created);
    const firstOld = proxy.find((r) => r.node === fresh[0]!.node && r.created < 60 * S)!;
    expect(fresh[1]!.created).toBeGreaterThan(firstOld.deletion!);
  });

  test("a drain skips the DaemonSet pods on the node; the run stops once every DaemonSet is done", () => {
    const drain = run.summary.node.drains![0]!;
    expect(drain.daemonSetPodsIgnored).toBe(1);
    expect(live("agent").some((r) => r.node === "n-0")).toBe(true);
    expect(run.summary.timeToAllRunningNs).not.toBeNull();
    // 4 web + 6 agent + 2 edge-proxy + 1 gpu-plugin.
    expect(run.summary.pods.expected).toBe(13);
    expect(run.summary.pods.running).toBe(13);
    expect(run.summary.byOwnerKind.DaemonSet!.created).toBe(of("agent").length + 4 + 1);
  });
});

describe("a failed node keeps its DaemonSet pod", () => {
  const manifests = MANIFESTS.split("---\n")
    .filter((d) => /name: (agent|web)\b/.test(d))
    .join("---\n")
    .replace("replicas: 4", "replicas: 2");
  const scenario = `name: ds-fail
seed: 1
cluster:
  nodePools:
    - { name: m, count: 2, allocatable: { cpu: 4, memory: 16Gi, pods: 110 } }
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
  - { name: registry.example/agent:1, size: 30Mi }
  - { name: registry.example/web:1, size: 50Mi }
workload:
  - { at: 0s, apply: ds.yaml }
  - { at: 20s, failNodes: { names: [m-0] } }
stop: { when: allRunning, timeLimit: 30m }
`;
  const failed = runIn("ds-fail", manifests, scenario);
  const at = (owner: string) => failed.rows.filter((r) => r.owner === owner);

  test("its pod tolerates not-ready and unreachable NoExecute forever: never evicted, never replaced", () => {
    const agent = at("agent");
    expect(nodesOf(agent)).toEqual(["m-0", "m-1"]);
    expect(agent.every((r) => r.deletion === null)).toBe(true);
    // The Deployment's pod there is evicted after its default 300 s toleration and replaced.
    const web = at("web");
    const evicted = web.filter((r) => r.node === "m-0" && r.deletion !== null);
    expect(evicted.length).toBeGreaterThan(0);
    expect(failed.run.summary.timeToAllRunningNs).not.toBeNull();
    // The pod left on the NotReady node is misscheduled (it should not get a new one) but kept.
    expect(failed.run.simulation.store.daemonSets[0]).toMatchObject({
      status: { desiredNumberScheduled: 1, numberMisscheduled: 1 },
      keptPods: 1,
    });
  });
});

describe("DaemonSet inputs", () => {
  const load = (manifests: string, steps = "") => {
    const d = tmpDir("simctl-ds-bad-");
    writeFileSync(join(d, "ds.yaml"), manifests);
    writeFileSync(
      join(d, "s.yaml"),
      SCENARIO.replace(/workload:\n[\s\S]*stop:/, `workload:\n  - { at: 0s, apply: ds.yaml }\n${steps}stop:`),
    );
    return () => loadScenario(join(d, "s.yaml"));
  };
  const agent = MANIFESTS.split("---\n")[0]!;
  const firstCreated = (s: Scenario) => {
    const a = s.workload[0]!.action;
    if (a.kind !== "create") throw new Error("the first step creates");
    return a.deployments[0]!;
  };

  test("defaults: RollingUpdate, maxUnavailable 1, maxSurge 0; the controller's tolerations are added", () => {
    const d = firstCreated(load(agent)());
    expect(d.daemonSet).toEqual({
      updateStrategy: "RollingUpdate",
      maxUnavailable: { value: 1, percent: false },
      maxSurge: { value: 0, percent: false },
    });
    expect((d.pod.tolerations as { key: string }[]).map((t) => t.key)).toEqual([
      "node.kubernetes.io/not-ready",
      "node.kubernetes.io/unreachable",
      "node.kubernetes.io/disk-pressure",
      "node.kubernetes.io/memory-pressure",
      "node.kubernetes.io/pid-pressure",
      "node.kubernetes.io/unschedulable",
    ]);
  });

  test("hostNetwork adds network-unavailable; a template toleration of the same taint is replaced", () => {
    const ds = agent.replace(
      "    spec:\n      containers:",
      "    spec:\n      hostNetwork: true\n      tolerations: [{ key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 60 }]\n      containers:",
    );
    const d = firstCreated(load(ds)());
    const tols = d.pod.tolerations as { key: string; tolerationSeconds?: number }[];
    expect(tols.filter((t) => t.key === "node.kubernetes.io/not-ready")).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    ]);
    expect(tols.at(-1)!.key).toBe("node.kubernetes.io/network-unavailable");
  });

  test("maxUnavailable and maxSurge both 0 is refused where it is written", () => {
    const ds = agent.replace(
      "  selector:",
      "  updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0% } }\n  selector:",
    );
    expect(load(ds)).toThrow(
      /ds\.yaml:5:\d+: spec\.updateStrategy\.rollingUpdate\.maxUnavailable: .*maxUnavailable above 0 when maxSurge is 0/s,
    );
  });

  test("update: a DaemonSet by daemonSet: (an image, no replicas); deployment: names it in the error", () => {
    expect(
      load(agent, "  - { at: 5s, update: { daemonSet: agent, replicas: 2, image: registry.example/agent:2 } }\n"),
    ).toThrow(/no replicas for a DaemonSet/);
    expect(load(agent, "  - { at: 5s, update: { deployment: agent, image: registry.example/agent:2 } }\n")).toThrow(
      /update it with daemonSet:/,
    );
    expect(load(agent, "  - { at: 5s, update: { daemonSet: web, image: registry.example/agent:2 } }\n")).toThrow(
      /a DaemonSet created by an earlier step \(agent\)/,
    );
  });

  test("fields not modelled are reported once per path; defaults are accepted silently", () => {
    const ds = agent
      .replace("  selector:", "  minReadySeconds: 0\n  revisionHistoryLimit: 10\n  selector:")
      .replace(
        "    spec:\n      containers:",
        "    spec:\n      restartPolicy: Always\n      dnsPolicy: ClusterFirst\n      containers:",
      );
    const s = load(ds)();
    const fields = s.inputs!.fieldsNotModelled.map((e: { kind: string; field: string }) => `${e.kind} ${e.field}`);
    expect(fields).toEqual(["DaemonSet spec.template.spec.dnsPolicy"]);
    expect(s.inputs!.kindsNotModelled).toEqual([]);
  });
});
