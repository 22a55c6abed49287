import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const NODE = (name: string, status: string) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels: { topology.kubernetes.io/zone: z1 }
spec: {}
status:
${status}
`;

const NODES_SCENARIO = `name: nodes
cluster:
  nodes: nodes
workload:
  - at: 0s
    apply: web.yaml
`;

describe("inputs: a file, a directory, List, multi-document YAML and JSON", () => {
  test("a directory is read recursively in sorted order; List, --- documents and JSON all count", () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${deployment("a", 1)
      .split("\n")
      .map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
      .join("\n")}\n`;
    const json = JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: {},
    });
    const dir = tree({
      "m/b/list.yaml": list,
      "m/a.yaml": `${deployment("c", 1)}---\n${deployment("d", 1)}`,
      "m/z/secret.json": json,
      "s.yaml": scenario("m"),
    });
    const s = loadScenario(join(dir, "s.yaml"));
    const created = s.workload[0]!.action;
    expect(created.kind === "create" && created.deployments.map((d) => d.name)).toEqual(["c", "d", "a"]);
    expect(s.inputs!.kindsNotModelled).toEqual([
      expect.objectContaining({ kind: "Secret", count: 1, first: `${join(dir, "m/z/secret.json")}:1` }),
    ]);
  });

  test("kinds not modelled are reported once per kind with a count", () => {
    const other = (kind: string, name: string) => `apiVersion: apps/v1\nkind: ${kind}\nmetadata: { name: ${name} }\n`;
    const dir = tree({
      "m.yaml": [
        deployment(),
        other("ControllerRevision", "a"),
        other("ControllerRevision", "b"),
        other("NetworkPolicy", "c"),
      ].join("\n---\n"),
      "s.yaml": scenario("m.yaml"),
    });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.inputs!.kindsNotModelled.map((e) => [e.kind, e.count])).toEqual([
      ["ControllerRevision", 2],
      ["NetworkPolicy", 1],
    ]);
  });

  test("a directory entry that is not YAML is a located error at the apply:", () => {
    const dir = tree({ "m/web.yaml": deployment(), "m/notes.txt": "hello", "s.yaml": scenario("m") });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ file: join(dir, "s.yaml"), path: "workload[0].apply", line: 15 }),
    ]);
  });

  test("a List item without kind is a located error in its own file", () => {
    const dir = tree({
      "m.yaml": "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    metadata: { name: x }\n",
      "s.yaml": scenario("m.yaml"),
    });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ file: join(dir, "m.yaml"), path: "items[0].kind", line: 4 }),
    ]);
  });

  test("Recreate with rollingUpdate is refused as apps/v1 validation refuses it", () => {
    const bad = deployment("web", 3).replace(
      "  replicas: 3\n",
      "  replicas: 3\n  strategy: { type: Recreate, rollingUpdate: { maxSurge: 1 } }\n",
    );
    const dir = tree({ "web.yaml": bad, "s.yaml": scenario() });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ path: "spec.strategy.rollingUpdate", line: 6 }),
    ]);
  });

  test("fields not modelled are reported once per path; at their upstream default they are accepted", () => {
    // minReadySeconds, paused and hostNetwork are modelled; a Deployment's revisionHistoryLimit
    // is not; a Job's suspend is accepted at its default (false) only.
    const web = deployment("web", 3, "      hostNetwork: false\n").replace(
      "  replicas: 3\n",
      "  replicas: 3\n  minReadySeconds: 30\n  revisionHistoryLimit: 5\n",
    );
    const api = deployment("api", 1, "      hostNetwork: true\n").replace(
      "  replicas: 1\n",
      "  replicas: 1\n  paused: true\n  revisionHistoryLimit: 2\n",
    );
    const job = (name: string, suspend: boolean) =>
      `apiVersion: batch/v1\nkind: Job\nmetadata: { name: ${name} }\nspec:\n  suspend: ${suspend}\n  template:\n    metadata: { annotations: { simctl.dev/run-duration: 30s } }\n    spec:\n      restartPolicy: Never\n      containers: [{ name: c, image: registry.k8s.io/pause:3.9 }]\n`;
    const dir = tree({
      "m.yaml": [web, api, job("a", false), job("b", true)].join("---\n"),
      "s.yaml": scenario("m.yaml"),
    });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.inputs!.fieldsNotModelled.map((e) => [e.kind, e.field, e.count])).toEqual([
      ["Deployment", "spec.revisionHistoryLimit", 2],
      ["Job", "spec.suspend", 1],
    ]);
    expect(s.inputs!.fieldsNotModelled[0]!.first).toBe(`${join(dir, "m.yaml")}:7`);
  });

  test("label keys and values the API server refuses are located errors; valid ones pass", () => {
    // model: apimachinery validation IsQualifiedName (keys) and IsValidLabelValue (values).
    const web = deployment(
      "web",
      1,
      `      nodeSelector: { tier: "${"x".repeat(64)}", example.com/ok: "a.b_c-1", empty: "" }\n`,
    ).replace("metadata: { labels: { app: web } }", 'metadata: { labels: { app: web, "bad key": x, version: "-v1" } }');
    const dir = tree({ "web.yaml": web, "s.yaml": scenario() });
    expect(issuesOf(join(dir, "s.yaml")).map((i) => [i.path, i.line, i.found])).toEqual([
      ["spec.template.metadata.labels.bad key", 8, 'the key "bad key"'],
      ["spec.template.metadata.labels.version", 8, '"-v1"'],
      ["spec.template.spec.nodeSelector.tier", 14, `"${"x".repeat(64)}"`],
    ]);
  });

  test("a priorityClassName no PriorityClass has is an error at the name", () => {
    const dir = tree({
      "web.yaml": deployment("web", 1, "      priorityClassName: gold\n"),
      "s.yaml": scenario(),
    });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ path: "spec.template.spec.priorityClassName", file: join(dir, "web.yaml") }),
    ]);
  });
});

describe("cluster.nodes: real Node objects", () => {
  test("allocatable, capacity where allocatable is absent, extended resources, labels, pod CIDR, NotReady", () => {
    const dir = tree({
      "nodes/a.yaml": NODE("a", '  allocatable: { cpu: 3920m, memory: 15Gi, pods: "58", nvidia.com/gpu: "1" }'),
      "nodes/b.json": JSON.stringify({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: "b" },
        spec: { podCIDR: "10.0.2.0/26" },
        status: {
          capacity: { cpu: "2", memory: "4Gi" },
          conditions: [{ type: "Ready", status: "False" }],
        },
      }),
      "web.yaml": deployment(),
      "s.yaml": NODES_SCENARIO,
    });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.nodePools.map((p) => [p.nodeName, p.count, p.podCIDRPrefix, p.notReady ?? false])).toEqual([
      ["a", 1, 24, false],
      ["b", 1, 26, true],
    ]);
    expect(Object.fromEntries(s.nodePools[0]!.allocatable)).toEqual({
      cpu: 3.92,
      memory: 15 * 2 ** 30,
      pods: 58,
      "nvidia.com/gpu": 1,
    });
    expect(s.nodePools[1]!.allocatable.get("cpu")).toBe(2);
    expect(s.nodePools[0]!.labels.get("topology.kubernetes.io/zone")).toEqual(["z1"]);
  });

  test("a Node without allocatable or capacity is a located error", () => {
    const dir = tree({
      "nodes/a.yaml": NODE("a", "  conditions: []"),
      "web.yaml": deployment(),
      "s.yaml": NODES_SCENARIO,
    });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ file: join(dir, "nodes/a.yaml"), path: "status.allocatable", line: 8 }),
    ]);
  });
});

describe("extended resources of real nodes", () => {
  test("NodeResourcesFit counts nvidia.com/gpu: two one-GPU pods on a one-GPU node, one stays Pending", async () => {
    const { runScenario } = await import("../../src/sim/run-scenario.js");
    const gpuPod = deployment("train", 2, "").replace(
      "resources: { requests: { cpu: 100m, memory: 64Mi } }",
      'resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { nvidia.com/gpu: "1" } }',
    );
    const dir = tree({
      "nodes.yaml": NODE("gpu", '  allocatable: { cpu: "8", memory: 60Gi, nvidia.com/gpu: "1" }'),
      "web.yaml": gpuPod,
      "s.yaml": `${NODES_SCENARIO}stop: { when: timeLimit, timeLimit: 20s }\n`.replace(
        "nodes: nodes",
        "nodes: nodes.yaml",
      ),
    });
    const { summary } = runScenario(loadScenario(join(dir, "s.yaml")), { write: false });
    expect(summary.pods.running).toBe(1);
    expect(summary.pods.unschedulable).toBe(1);
  });
});

describe("a ReplicaSet of its own", () => {
  test("runs through the replicaset controller alone and adopts the cluster.pods pod it owns", async () => {
    const { runScenario } = await import("../../src/sim/run-scenario.js");
    const rs = deployment("cache", 3)
      .replace("kind: Deployment", "kind: ReplicaSet")
      .replace("metadata: { name: cache }", "metadata: { name: cache, namespace: default }");
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: cache-x7k2p
  namespace: default
  labels: { app: cache }
  ownerReferences:
    - { apiVersion: apps/v1, kind: ReplicaSet, name: cache, controller: true, uid: 1 }
spec:
  nodeName: pool-0
  containers:
    - name: app
      image: registry.k8s.io/pause:3.9
      resources: { requests: { cpu: 100m, memory: 64Mi } }
status: { phase: Running }
`;
    const dir = tree({
      "web.yaml": rs,
      "pods.yaml": pod,
      "s.yaml": scenario().replace(
        "      allocatable: { cpu: 4, memory: 8Gi }\n",
        "      allocatable: { cpu: 4, memory: 8Gi }\n  pods: pods.yaml\n",
      ),
    });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.existingPods!.map((p) => p.adoptedBy)).toEqual(["cache"]);
    const { simulation: sim, summary } = runScenario(s, { write: false });
    expect(summary.pods.running).toBe(3);
    expect(sim.pods.size).toBe(3);
    expect(sim.deploymentController.queue.depth).toBe(0);
    expect(summary.byOwnerKind).toEqual({ ReplicaSet: expect.objectContaining({ created: 3, running: 3 }) });
  });
});
