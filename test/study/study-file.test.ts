import { describe, expect, test } from "vitest";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { readStudyFile, readStudyText, columnName } from "../../src/study/study-file.js";
import { gridPoints, planStudy, runHash } from "../../src/study/study-plan.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { readFileSync } from "node:fs";

function issues(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split("\n");
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("study files", () => {
  test("a grid of 3 node counts x 3 seeds: 9 runs, the first parameter slowest, seeds innermost", () => {
    const { spec, locations } = readStudyFile("test/study/fixtures/nodes-sweep.yaml");
    expect(spec.seeds).toEqual([1, 2, 3]);
    expect(spec.parameters.map((p) => [p.path, p.column, p.values])).toEqual([
      ["cluster.nodePools[0].count", "cluster_nodePools_0_count", [2, 4, 8]],
    ]);
    const plan = planStudy(spec, locations);
    expect(plan.runs.map((r) => [r.index, r.values[0], r.seed])).toEqual([
      [0, 2, 1],
      [1, 2, 2],
      [2, 2, 3],
      [3, 4, 1],
      [4, 4, 2],
      [5, 4, 3],
      [6, 8, 1],
      [7, 8, 2],
      [8, 8, 3],
    ]);
    // The run's scenario carries the grid point's value; its hash identifies scenario + seed.
    const s = parseScenario(spec.scenario, plan.points[2]!.text, { seed: 3 });
    expect(s.nodePools[0]!.count).toBe(8);
    expect(plan.runs[8]!.hash).toBe(runHash(s, 3));
    expect(new Set(plan.runs.map((r) => r.hash)).size).toBe(9);
  });

  test("two parameters, a named column and explicit seeds", () => {
    const { spec, locations } = readStudyFile("test/study/fixtures/two-params.yaml");
    const plan = planStudy(spec, locations);
    expect(spec.parameters.map((p) => p.column)).toEqual(["cluster_nodePools_0_count", "cm_qps"]);
    expect(plan.runs.map((r) => [...r.values, r.seed])).toEqual([
      [2, 5, 11],
      [2, 5, 12],
      [2, 50, 11],
      [2, 50, 12],
      [4, 5, 11],
      [4, 5, 12],
      [4, 50, 11],
      [4, 50, 12],
    ]);
    expect(parseScenario(spec.scenario, plan.points[1]!.text).controllerManager.qps).toBe(50);
  });

  test("a value the scenario rejects is reported at the value in the study file, naming the parameter", () => {
    const { spec, locations } = readStudyFile("test/study/fixtures/bad-value.yaml");
    const lines = issues(() => planStudy(spec, locations));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^test\/study\/fixtures\/bad-value\.yaml:4:\d+: parameters\.cluster\.nodePools\[0\]\.count\[1\]: expected a value of study parameter cluster\.nodePools\[0\]\.count that makes cluster\.nodePools\[0\]\.count an integer (>=|from) \d+.*, found -3 \(in test\/study\/fixtures\/tiny\.yaml:7:\d+\)$/,
    );
  });

  test("bad paths, bad seeds and unknown keys are all reported with their lines", () => {
    const lines = issues(() => {
      const { spec, locations } = readStudyFile("test/study/fixtures/bad-path.yaml");
      planStudy(spec, locations);
    });
    expect(lines.some((l) => /bad-path\.yaml:5:\d+: .*found "cluster\.\.count": a key at character 9/.test(l))).toBe(
      true,
    );
    expect(
      lines.some((l) => /bad-path\.yaml:6:\d+: seeds: expected an integer from 1 to 100000, found 0/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => /bad-path\.yaml:7:\d+: sedes: .*did you mean "seeds"\?/.test(l))).toBe(true);
  });

  test("an index past the end of a list is named in the error", () => {
    const text = readFileSync("test/study/fixtures/bad-path.yaml", "utf8").replace(
      /\n {2}cluster\.\.count.*\nseeds: 0\nsedes: 3/,
      "\nseeds: 2",
    );
    const lines = issues(() => {
      const { spec, locations } = readStudyText("test/study/fixtures/bad-path.yaml", text);
      planStudy(spec, locations);
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /bad-path\.yaml:4:\d+: parameters\.cluster\.nodePools\[3\]\.count: expected a path into the scenario .*tiny\.yaml, found cluster\.nodePools has 1 item, so index \[3\] is out of range/,
      ),
    ]);
  });

  test("column names and grid expansion", () => {
    expect(columnName('cluster.nodePools[0].labels["topology.kubernetes.io/zone"]')).toBe(
      "cluster_nodePools_0_labels_topology_kubernetes_io_zone",
    );
    expect(gridPoints([2, 3])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(gridPoints([])).toEqual([[]]);
  });
});

test("a parameter column may not take the name of a fixed column", () => {
  const text =
    "scenario: fixtures/tiny.yaml\nparameters:\n  cluster.nodePools[0].count: { values: [1, 2], column: nodes_used }\n";
  expect(() => readStudyText("test/study/x.yaml", text)).toThrow(
    /x\.yaml:3:\d+: parameters\.cluster\.nodePools\[0\]\.count: expected a parameter column name not already taken \("nodes_used" is/,
  );
});
