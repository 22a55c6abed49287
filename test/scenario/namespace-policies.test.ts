import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { createdDeployments } from "../../src/scenario/sections/workload.js";
import { podUsage } from "../../src/apiserver/resource-quotas.js";
import { issuesOf, scenario, tree } from "./fixture.js";

/** A Deployment in namespace `ns` whose one container has `resources` (a flow mapping, or "" for none). */
function app(ns: string, resources: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: app, namespace: ${ns} }
spec:
  replicas: 2
  selector: { matchLabels: { app: app } }
  template:
    metadata: { labels: { app: app } }
    spec:
      containers:
        - name: c
          image: registry.k8s.io/pause:3.9
${resources === "" ? "" : `          resources: ${resources}\n`}`;
}

const LIMITS = (spec: string) => `apiVersion: v1
kind: LimitRange
metadata: { name: limits, namespace: team }
spec:
  limits:
${spec}
`;

const NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: { name: team }\n";

function containerOf(files: Record<string, string>) {
  const dir = tree({ ...files, "s.yaml": scenario("m.yaml") });
  const s = loadScenario(join(dir, "s.yaml"));
  return { c: createdDeployments(s.workload)[0]!.pod.containers[0]!, s };
}

describe("LimitRange admission (limitranger/admission.go), applied to the pod template", () => {
  test("defaultRequest fills an unset request; default fills an unset limit", () => {
    const { c } = containerOf({
      "m.yaml": [
        NAMESPACE,
        LIMITS(
          "    - type: Container\n      default: { cpu: 500m, memory: 256Mi }\n      defaultRequest: { cpu: 250m }",
        ),
        app("team", "{ requests: { memory: 64Mi } }"),
      ].join("---\n"),
    });
    expect(Object.fromEntries(c.requests)).toEqual({ cpu: 0.25, memory: 64 * 2 ** 20 });
    expect(Object.fromEntries(c.limits)).toEqual({ cpu: 0.5, memory: 256 * 2 ** 20 });
  });

  test("API defaulting of the item: default request from the default limit, default limit from max", () => {
    const { c } = containerOf({
      "m.yaml": [
        NAMESPACE,
        LIMITS("    - type: Container\n      max: { cpu: '2' }\n      default: { memory: 1Gi }"),
        app("team", ""),
      ].join("---\n"),
    });
    expect(Object.fromEntries(c.requests)).toEqual({ cpu: 2, memory: 2 ** 30 });
    expect(Object.fromEntries(c.limits)).toEqual({ cpu: 2, memory: 2 ** 30 });
  });

  test("a container's own request (or a request defaulted from its limit) wins over the range's default", () => {
    const { c } = containerOf({
      "m.yaml": [
        NAMESPACE,
        LIMITS("    - type: Container\n      defaultRequest: { cpu: 250m }\n      default: { cpu: '1' }"),
        app("team", "{ limits: { cpu: 300m } }"),
      ].join("---\n"),
    });
    expect(c.requests.get("cpu")).toBe(0.3);
    expect(c.limits.get("cpu")).toBe(0.3);
  });

  test("other namespaces are untouched", () => {
    const { c } = containerOf({
      "m.yaml": [
        NAMESPACE,
        LIMITS("    - type: Container\n      defaultRequest: { cpu: 250m }"),
        app("default", ""),
      ].join("---\n"),
    });
    expect(c.requests.size).toBe(0);
  });

  test("a template over a max, under a min or past the ratio is a located error (admission refuses every pod)", () => {
    const dir = tree({
      "m.yaml": [
        NAMESPACE,
        LIMITS("    - type: Container\n      max: { cpu: '1' }\n      maxLimitRequestRatio: { memory: 2 }"),
        app("team", "{ requests: { cpu: 1500m, memory: 100Mi }, limits: { cpu: 1500m, memory: 300Mi } }"),
      ].join("---\n"),
      "s.yaml": scenario("m.yaml"),
    });
    const issues = issuesOf(join(dir, "s.yaml"));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.file).toMatch(/m\.yaml$/);
    expect(issues[0]!.line).toBe(26); // the container's resources
    expect(issues[0]!.expected).toContain("LimitRange team/limits");
    expect(issues[0]!.found).toContain("cpu limit 1.5 over the maximum 1");
    expect(issues[0]!.found).toContain("memory limit/request 3.000 over the ratio 2");
  });

  test("a Pod item checks the pod's total", () => {
    const dir = tree({
      "m.yaml": [
        NAMESPACE,
        LIMITS("    - type: Pod\n      min: { cpu: 200m }"),
        app("team", "{ requests: { cpu: 100m } }"),
      ].join("---\n"),
      "s.yaml": scenario("m.yaml"),
    });
    expect(issuesOf(join(dir, "s.yaml")).map((i) => i.found)).toEqual([
      "the pod: cpu request 0.1 under the minimum 0.2",
    ]);
  });

  test("PersistentVolumeClaim items are reported as not modelled", () => {
    const { s } = containerOf({
      "m.yaml": [
        NAMESPACE,
        LIMITS("    - type: PersistentVolumeClaim\n      max: { storage: 10Gi }"),
        app("team", ""),
      ].join("---\n"),
    });
    expect(s.inputs!.fieldsNotModelled.map((e) => e.field)).toEqual(["spec.limits[].type=PersistentVolumeClaim"]);
  });
});

describe("Namespaces", () => {
  test("a workload in a namespace no input declares is reported once, assumed to exist", () => {
    const dir = tree({ "m.yaml": app("team", ""), "s.yaml": scenario("m.yaml") });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.inputs!.namespacesAssumed.map((e) => [e.field, e.count])).toEqual([["team", 1]]);
    expect(s.inputs!.kindsNotModelled).toEqual([]);
  });

  test("declared and system namespaces are not reported; Namespace is a modelled kind", () => {
    const dir = tree({ "m.yaml": [NAMESPACE, app("team", "")].join("---\n"), "s.yaml": scenario("m.yaml") });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.inputs!.namespacesAssumed).toEqual([]);
    expect(s.inputs!.kindsNotModelled).toEqual([]);
  });
});

describe("ResourceQuota inputs and the pod evaluator's usage (pods.go PodUsageFunc)", () => {
  test("hard limits on pod resources are kept; on other objects, reported", () => {
    const quota = `apiVersion: v1
kind: ResourceQuota
metadata: { name: q, namespace: team }
spec:
  hard: { pods: "10", requests.cpu: "2", limits.memory: 4Gi, services: "5", requests.nvidia.com/gpu: "1" }
`;
    const { s } = containerOf({ "m.yaml": [NAMESPACE, quota, app("team", "")].join("---\n") });
    const q = s.resourceQuotas![0]!;
    expect(Object.fromEntries(q.hard)).toEqual({
      pods: 10,
      "requests.cpu": 2000,
      "limits.memory": 4 * 2 ** 30,
      "requests.nvidia.com/gpu": 1,
    });
    expect(s.inputs!.fieldsNotModelled.map((e) => e.field)).toEqual(["spec.hard.services"]);
  });

  test("usage: containers summed, the largest init container where more, only what the pod states", () => {
    const c = (requests: Record<string, number>, limits: Record<string, number> = {}) => ({
      name: "c",
      image: "i",
      imagePullPolicy: "IfNotPresent" as const,
      requests: new Map(Object.entries(requests)),
      limits: new Map(Object.entries(limits)),
      hostPorts: [],
    });
    const pod = {
      labels: new Map(),
      schedulerName: "default-scheduler",
      priority: 0,
      containers: [c({ cpu: 0.1, memory: 100 }, { cpu: 0.2 }), c({ cpu: 0.2 })],
      initContainers: [c({ cpu: 0.5 })],
      nodeSelector: new Map(),
      tolerations: undefined,
      affinity: undefined,
      topologySpreadConstraints: undefined,
    };
    expect(Object.fromEntries(podUsage(pod))).toEqual({
      pods: 1,
      "count/pods": 1,
      cpu: 500,
      "requests.cpu": 500,
      memory: 100,
      "requests.memory": 100,
      "limits.cpu": 200,
    });
  });
});
