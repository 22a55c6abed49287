import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { pdbSelects } from "../../src/scenario/inputs/pod-disruption-budgets.js";
import { PodPhase, PodTable } from "../../src/cluster/pod-table.js";
import { DisruptionBudgets } from "../../src/cluster/disruption-budgets.js";
import { PdbEvictions } from "../../src/apiserver/eviction.js";
import { Status } from "../../src/apiserver/request-table.js";
import type { DeploymentSpec } from "../../src/scenario/manifests.js";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const PDB = (name: string, spec: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: ${name} }
spec:
${spec}
`;

describe("PodDisruptionBudgets as inputs", () => {
  test("a modelled kind: int and percent budgets, matchExpressions; unmodelled fields once per path", () => {
    const dir = tree({
      "m.yaml": [
        deployment(),
        PDB(
          "a",
          "  minAvailable: 80%\n  selector: { matchExpressions: [{ key: app, operator: In, values: [web] }] }\n  unhealthyPodEvictionPolicy: AlwaysAllow",
        ),
        PDB("b", "  maxUnavailable: 1\n  selector: {}\n  unhealthyPodEvictionPolicy: IfHealthyBudget"),
      ].join("\n---\n"),
      "s.yaml": scenario("m.yaml"),
    });
    const s = loadScenario(join(dir, "s.yaml"));
    expect(s.inputs!.kindsNotModelled).toEqual([]);
    expect(s.inputs!.fieldsNotModelled.map((e) => [e.kind, e.field, e.count])).toEqual([
      ["PodDisruptionBudget", "spec.unhealthyPodEvictionPolicy", 2],
    ]);
    const [a, b] = s.podDisruptionBudgets!;
    expect(a!.minAvailable).toEqual({ value: 80, percent: true });
    expect(b!.maxUnavailable).toEqual({ value: 1, percent: false });
    expect(pdbSelects(a!, "default", new Map([["app", "web"]]))).toBe(true);
    expect(pdbSelects(a!, "default", new Map([["app", "db"]]))).toBe(false);
    expect(pdbSelects(a!, "other", new Map([["app", "web"]]))).toBe(false);
    // policy/v1: an empty selector selects every pod of the namespace.
    expect(pdbSelects(b!, "default", new Map())).toBe(true);
  });

  test("minAvailable and maxUnavailable together, or a bad percentage, are located errors", () => {
    const dir = tree({
      "m.yaml": [
        deployment(),
        PDB("a", "  minAvailable: 1\n  maxUnavailable: 1\n  selector: {}"),
        PDB("b", "  minAvailable: half\n  selector: {}"),
      ].join("\n---\n"),
      "s.yaml": scenario("m.yaml"),
    });
    const text = issuesOf(join(dir, "s.yaml"))
      .map((i) => `${i.path}: ${i.expected}`)
      .join("\n");
    expect(text).toMatch(/minAvailable or maxUnavailable, not both/);
    expect(text).toMatch(/an integer or a percentage/);
  });
});

describe("the Eviction API's budget check", () => {
  const spec = (labels: Record<string, string>) =>
    ({ namespace: "default", pod: { labels: new Map(Object.entries(labels)) } }) as unknown as DeploymentSpec;
  const budget = (name: string, key: string, value: string) => ({
    name,
    namespace: "default",
    selector: { matchLabels: new Map([[key, value]]), matchExpressions: [] },
    minAvailable: { value: 1, percent: false },
    maxUnavailable: undefined,
  });

  test("429 at 0 allowed, decrement and disruptedPods otherwise, 500 for two budgets, no check for a Pending pod", () => {
    const pods = new PodTable(16);
    const web = pods.add(0, 0, 0);
    const both = pods.add(0, 1, 1);
    const pending = pods.add(0, 2, 0);
    pods.phase[web] = PodPhase.Running;
    pods.phase[both] = PodPhase.Running;
    // Template 1 is selected by both budgets.
    const budgets = new DisruptionBudgets(
      [budget("web", "app", "web"), budget("shared", "tier", "shared")],
      [spec({ app: "web" }), spec({ app: "web", tier: "shared" })],
    );
    const ev = new PdbEvictions(pods, budgets);
    expect(ev.admitEviction(web)).toBe(Status.tooManyRequests);
    budgets.budgets[0]!.disruptionsAllowed = 1;
    budgets.budgets[1]!.disruptionsAllowed = 1;
    expect(ev.admitEviction(web)).toBe(Status.ok);
    expect(budgets.budgets[0]!.disruptionsAllowed).toBe(0);
    expect(budgets.isDisrupted(web)).toBe(true);
    expect(ev.admitEviction(both)).toBe(Status.internalError);
    expect(ev.admitEviction(pending)).toBe(Status.ok);
    expect(ev.refused).toBe(1);
    expect(ev.refusedSeveralBudgets).toBe(1);
  });
});
