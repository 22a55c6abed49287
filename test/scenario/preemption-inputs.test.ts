import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const CLASS = (name: string, value: number, extra = "") =>
  `apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: { name: ${name} }\nvalue: ${value}\n${extra}`;

/** The pod template of the first Deployment the scenario in `files` creates. */
function podOf(files: Record<string, string>) {
  const s = loadScenario(join(tree({ ...files, "s.yaml": scenario("m.yaml") }), "s.yaml"));
  const a = s.workload[0]!.action;
  if (a.kind !== "create") throw new Error("no create step");
  return a.deployments[0]!.pod;
}

describe("preemption inputs: preemptionPolicy, PriorityClass, terminationGracePeriodSeconds", () => {
  test("a PriorityClass's preemptionPolicy Never becomes its pods'; a class without one gives PreemptLowerPriority", () => {
    const never = podOf({
      "m.yaml": `${CLASS("batch", 10, "preemptionPolicy: Never\n")}---\n${deployment("web", 1, "      priorityClassName: batch\n")}`,
    });
    expect([never.priority, never.preemptionPolicy]).toEqual([10, "Never"]);
    const dflt = podOf({
      "m.yaml": `${CLASS("gold", 100)}---\n${deployment("web", 1, "      priorityClassName: gold\n")}`,
    });
    expect([dflt.priority, dflt.preemptionPolicy]).toEqual([100, "PreemptLowerPriority"]);
  });

  test("a pod spec's own preemptionPolicy and terminationGracePeriodSeconds are read", () => {
    const pod = podOf({
      "m.yaml": deployment("web", 1, "      preemptionPolicy: Never\n      terminationGracePeriodSeconds: 5\n"),
    });
    expect([pod.preemptionPolicy, pod.terminationGracePeriodSeconds]).toEqual(["Never", 5]);
  });

  test("a pod naming a class whose preemptionPolicy differs from its own is refused, as admission refuses it", () => {
    const dir = tree({
      "m.yaml": `${CLASS("gold", 100)}---\n${deployment("web", 1, "      priorityClassName: gold\n      preemptionPolicy: Never\n")}`,
      "s.yaml": scenario("m.yaml"),
    });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ path: "spec.template.spec.priorityClassName", file: join(dir, "m.yaml") }),
    ]);
  });

  test("bad values and unknown keys are located errors", () => {
    const cases: [string, string][] = [
      [deployment("web", 1, "      preemptionPolicy: Sometimes\n"), "spec.template.spec.preemptionPolicy"],
      [
        deployment("web", 1, "      terminationGracePeriodSeconds: -1\n"),
        "spec.template.spec.terminationGracePeriodSeconds",
      ],
      [`${CLASS("gold", 100, "preemptionPolicy: Maybe\n")}---\n${deployment()}`, "preemptionPolicy"],
      [`${CLASS("gold", 100, "globalDefualt: true\n")}---\n${deployment()}`, "globalDefualt"],
    ];
    for (const [m, path] of cases) {
      const dir = tree({ "m.yaml": m, "s.yaml": scenario("m.yaml") });
      expect(issuesOf(join(dir, "s.yaml")), path).toEqual([
        expect.objectContaining({ path, file: join(dir, "m.yaml") }),
      ]);
    }
  });
});
