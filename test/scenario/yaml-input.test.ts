import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario, parseScenario } from "../../src/scenario/load-scenario.js";
import { createdDeployments } from "../../src/scenario/sections/workload.js";
import { loadScaledScenario, scaleScenarioText } from "../../src/study/scale.js";
import { readFileSync } from "node:fs";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const TOLERATIONS = `      tolerations: &tol
        - { key: dedicated, operator: Equal, value: web, effect: NoSchedule }
`;

describe("YAML aliases mean what the YAML spec says, within a bound", () => {
  test("an alias in a pass-through field (tolerations) is the anchored value, not {source: ...}", () => {
    const inline = `name: small
cluster:
  nodePools:
    - { name: pool, count: 2, allocatable: { cpu: 4, memory: 8Gi } }
images:
  - { name: registry.k8s.io/pause:3.9, size: 300Ki }
workload:
  - at: 0s
    deployments:
      - ${deployment("a", 1, TOLERATIONS).replace(/\n/g, "\n        ")}
      - ${deployment("b", 1, "      tolerations: *tol\n").replace(/\n/g, "\n        ")}
`;
    const s = parseScenario("aliases.yaml", inline);
    const [a, b] = createdDeployments(s.workload);
    expect(b!.pod.tolerations).toEqual([{ key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" }]);
    expect(b!.pod.tolerations).toEqual(a!.pod.tolerations);
  });

  test("an alias to a scalar is checked as the scalar (count: *n)", () => {
    const text = scenario("web.yaml").replace("      count: 4", "      count: *n").replace("seed: 1", "seed: &n ten");
    const dir = tree({ "web.yaml": deployment(), "s.yaml": text });
    const issues = issuesOf(join(dir, "s.yaml"));
    expect(issues.map((i) => [i.path, i.line, i.found])).toEqual([
      ["seed", 2, '"ten"'],
      ["cluster.nodePools[0].count", 6, '"ten"'],
    ]);
  });

  test("aliases that expand beyond maxAliasCount (a billion laughs) are refused at the first alias", () => {
    const laughs =
      "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    const dir = tree({ "s.yaml": laughs });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ line: 2, column: 8, expected: expect.stringContaining("maxAliasCount 100") }),
    ]);
  });

  test("an alias before its anchor, or inside it, is a located error", () => {
    const dir = tree({ "s.yaml": "name: *nope\n", "t.yaml": "name: x\ncluster: &c { nodePools: [*c] }\n" });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ path: "name", line: 1, column: 7, found: "*nope" }),
    ]);
    expect(issuesOf(join(dir, "t.yaml"))).toEqual([
      expect.objectContaining({ path: "cluster.nodePools[0]", line: 2, column: 27, found: "*c inside it" }),
    ]);
  });
});

describe("duplicate keys and repeated problems", () => {
  test("a key given twice is refused where it repeats", () => {
    const dir = tree({ "web.yaml": deployment(), "s.yaml": scenario().replace("seed: 1\n", "seed: 1\nseed: 2\n") });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ line: 3, column: 1, expected: "each key once in a mapping", found: "a duplicate key" }),
    ]);
  });

  test("a duplicate key inside a manifest is located in the manifest", () => {
    const dir = tree({
      "web.yaml": deployment().replace("  replicas: 3\n", "  replicas: 3\n  replicas: 4\n"),
      "s.yaml": scenario(),
    });
    const [i, ...rest] = issuesOf(join(dir, "s.yaml"));
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ file: join(dir, "web.yaml"), line: 6, found: "a duplicate key" });
  });

  test("a problem in a manifest stamped copies: 10 times is reported once", () => {
    const bad = deployment().replace("cpu: 100m", "cpu: lots");
    const dir = tree({ "web.yaml": bad, "s.yaml": scenario("web.yaml\n    copies: 10") });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ file: join(dir, "web.yaml"), line: 13, found: '"lots"' }),
    ]);
  });
});

describe("--scale scales the parsed document, so locations stay right", () => {
  test("an error in a manifest under --scale is at the manifest's own line", () => {
    const bad = deployment().replace("cpu: 100m", "cpu: lots");
    const dir = tree({ "web.yaml": bad, "s.yaml": scenario() });
    const scaled = (() => {
      try {
        loadScaledScenario(join(dir, "s.yaml"), 0.5);
      } catch (e) {
        return (e as { issues: unknown[] }).issues;
      }
      return [];
    })();
    expect(scaled).toEqual([expect.objectContaining({ file: join(dir, "web.yaml"), line: 13, column: 41 })]);
  });

  test("an error in the scenario under --scale is at its line, and a scaled count is checked after scaling", () => {
    const dir = tree({
      "web.yaml": deployment(),
      "s.yaml": scenario().replace("  when: allRunning", "  when: allrunning").replace("count: 4", "count: 600000"),
    });
    expect(issuesOf(join(dir, "s.yaml"), { scale: 2 }).map((i) => [i.path, i.line, i.found])).toEqual([
      ["cluster.nodePools[0].count", 6, "1200000"],
      ["stop.when", 17, '"allrunning"'],
    ]);
  });

  test("scaling the nodes gives the scenario that scaling the text gives (workers run the text)", () => {
    for (const [file, factor] of [
      ["scenarios/10k-pods.yaml", 0.01],
      ["scenarios/rolling-update.yaml", 0.25],
      ["scenarios/zone-outage.yaml", 0.5],
      ["test/study/fixtures/tiny.yaml", 2.5],
    ] as const) {
      const viaText = parseScenario(file, scaleScenarioText(file, readFileSync(file, "utf8"), factor));
      expect(loadScenario(file, { scale: factor })).toEqual(viaText);
    }
  });
});
