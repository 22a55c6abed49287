import { describe, expect, it } from "vitest";
import {
  DEFAULT_FLOW_SCHEMAS,
  DEFAULT_PRIORITY_LEVELS,
  Dealer,
  classify,
  foldHashForDeal,
  hashFlowId,
  type ClientIdentity,
  type RequestAttributes,
} from "../../../src/apiserver/flowcontrol/index.js";

const kubelet: ClientIdentity = { kind: "kubelet", node: "n1" };
const kcm: ClientIdentity = { kind: "kube-controller-manager" };
const scheduler: ClientIdentity = { kind: "kube-scheduler" };
const getPods: RequestAttributes = { verb: "get", apiGroup: "", resource: "pods", namespace: "default" };

// Expected (flowSchema, level, distinguisher) from bootstrap/default.go (flowcontrol/v1).
describe("classify", () => {
  it.each([
    ["kubelet reads pods", kubelet, getPods, "system-nodes", "system", "system:node:n1"],
    [
      "kubelet updates its node status",
      kubelet,
      { verb: "patch", apiGroup: "", resource: "nodes", subresource: "status", name: "n1" },
      "system-node-high",
      "node-high",
      "system:node:n1",
    ],
    [
      "kubelet renews its lease",
      kubelet,
      { verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease" },
      "system-node-high",
      "node-high",
      "system:node:n1",
    ],
    [
      "kubelet updates pod status",
      kubelet,
      { verb: "patch", apiGroup: "", resource: "pods", subresource: "status", namespace: "default" },
      "system-nodes",
      "system",
      "system:node:n1",
    ],
    [
      "controller-manager creates pods",
      kcm,
      { verb: "create", apiGroup: "", resource: "pods", namespace: "web" },
      "kube-controller-manager",
      "workload-high",
      "web",
    ],
    [
      "controller-manager renews its lease",
      kcm,
      { verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system" },
      "system-leader-election",
      "leader-election",
      "system:kube-controller-manager",
    ],
    [
      "controller-manager updates endpoints",
      kcm,
      { verb: "update", apiGroup: "", resource: "endpoints", namespace: "web" },
      "endpoint-controller",
      "workload-high",
      "system:kube-controller-manager",
    ],
    [
      "scheduler binds a pod",
      scheduler,
      { verb: "create", apiGroup: "", resource: "pods", subresource: "binding", namespace: "web" },
      "kube-scheduler",
      "workload-high",
      "web",
    ],
    [
      "a kube-system controller service account",
      { kind: "service-account", namespace: "kube-system", name: "replicaset-controller" },
      { verb: "create", apiGroup: "", resource: "pods", namespace: "web" },
      "kube-system-service-accounts",
      "workload-high",
      "web",
    ],
    [
      "a workload service account",
      { kind: "service-account", namespace: "team-a", name: "builder" },
      getPods,
      "service-accounts",
      "workload-low",
      "system:serviceaccount:team-a:builder",
    ],
    ["a plain user", { kind: "user", name: "alice" }, getPods, "global-default", "global-default", "alice"],
    [
      "a cluster admin",
      { kind: "user", name: "kubernetes-admin", groups: ["system:masters"] },
      getPods,
      "exempt",
      "exempt",
      "",
    ],
    [
      "anyone probing /healthz",
      { kind: "user", name: "alice" },
      { verb: "get", path: "/healthz" },
      "probes",
      "exempt",
      "",
    ],
  ] as const)("%s", (_what, who, request, fs, level, distinguisher) => {
    const c = classify(who, request);
    expect(c.flowSchema).toBe(fs);
    expect(c.levelName).toBe(level);
    expect(c.distinguisher).toBe(distinguisher);
  });

  it("shares a match between users of the same groups only when no subject names either user", () => {
    const bind = { verb: "create", apiGroup: "", resource: "pods", subresource: "binding", namespace: "web" };
    // alice and the scheduler are both only system:authenticated; a subject names the scheduler.
    for (const [first, second] of [
      [{ kind: "user", name: "alice" }, scheduler],
      [scheduler, { kind: "user", name: "bob" }],
    ] as const) {
      const a = classify(first, bind);
      const b = classify(second, bind);
      expect([a.flowSchema, b.flowSchema].sort()).toEqual(["global-default", "kube-scheduler"]);
    }
    // A service account subject matches by the user's name, whatever groups it shares.
    const lease = { verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system" };
    expect(classify({ kind: "user", name: "carol" }, lease).flowSchema).toBe("global-default");
    const sa = classify({ kind: "user", name: "system:serviceaccount:kube-system:kube-scheduler" }, lease);
    expect(sa.flowSchema).toBe("system-leader-election");
    // Kubelets share the match, each keeps its own flow.
    const k2 = classify({ kind: "kubelet", node: "n2" }, getPods);
    const k1 = classify(kubelet, getPods);
    expect([k1.flowSchema, k2.flowSchema, k1.distinguisher, k2.distinguisher]).toEqual([
      "system-nodes",
      "system-nodes",
      "system:node:n1",
      "system:node:n2",
    ]);
    expect(k1.flowHash).not.toBe(k2.flowHash);
  });

  it("falls back to catch-all without global-default", () => {
    const schemas = DEFAULT_FLOW_SCHEMAS.filter((s) => s.name !== "global-default");
    const c = classify({ kind: "user", name: "alice" }, getPods, undefined, schemas);
    expect(c.flowSchema).toBe("catch-all");
    expect(c.levelName).toBe("catch-all");
    // catch-all has no queues, so there is no flow hash (upstream hashes only when queues > 1).
    expect(c.flowHash).toBe(0);
  });

  it("gives each flow upstream's hash, folded for its level's deal", () => {
    const c = classify(kubelet, getPods);
    expect(c.level).toBe(1);
    const dealer = new Dealer(64, 6);
    expect(c.flowHash).toBe(foldHashForDeal(hashFlowId("system-nodes", "system:node:n1"), dealer.period()));
    expect(c.flowHash).toBe(Number(8967139723188866340n % (64n * 63n * 62n * 61n * 60n * 59n)));
    // Same client, same flow; another node, another flow.
    expect(classify(kubelet, getPods).flowHash).toBe(c.flowHash);
    expect(classify({ kind: "kubelet", node: "n2" }, getPods).flowHash).not.toBe(c.flowHash);
    // ByNamespace: the controller-manager's flows are its target namespaces.
    const a = classify(kcm, { verb: "create", apiGroup: "", resource: "pods", namespace: "a" });
    const b = classify(kcm, { verb: "create", apiGroup: "", resource: "pods", namespace: "b" });
    expect(a.flowHash).not.toBe(b.flowHash);
    expect(classify(kcm, { verb: "update", apiGroup: "", resource: "pods", namespace: "a" }).flowHash).toBe(a.flowHash);
  });

  it("hashes a flow once per deal: a level of another shape deals the same flow anew", () => {
    const narrow = DEFAULT_PRIORITY_LEVELS.map((l) =>
      l.name === "system" && l.queuing !== undefined ? { ...l, queuing: { ...l.queuing, queues: 16, handSize: 4 } } : l,
    );
    const id: ClientIdentity = { kind: "kubelet", node: "n7" };
    const wide = classify(id, getPods);
    const c = classify(id, getPods, narrow);
    expect(c.levelName).toBe("system");
    expect(c.flowHash).toBe(Number(hashFlowId("system-nodes", "system:node:n7") % (16n * 15n * 14n * 13n)));
    expect(classify(id, getPods).flowHash).toBe(wide.flowHash);
    expect(wide.flowHash).toBe(
      foldHashForDeal(hashFlowId("system-nodes", "system:node:n7"), new Dealer(64, 6).period()),
    );
  });
});
