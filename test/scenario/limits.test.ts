import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { estimateMemory } from "../../src/scenario/estimate-memory.js";
import { defaultInputLimits } from "../../src/scenario/input-files.js";
import { loadScenario, MAX_NAME_LENGTH, parseScenario } from "../../src/scenario/load-scenario.js";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const limits = defaultInputLimits();

/** A scenario with `nodes` nodes, a Deployment of `replicas` and one pod that never schedules, run to `timeLimit`. */
function sized(nodes: number, replicas: number, timeLimit: string): string {
  return `name: sized
cluster:
  nodePools:
    - { name: general, count: ${nodes}, allocatable: { cpu: 8, memory: 32Gi, pods: 110 } }
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
workload:
  - at: 0s
    deployments:
      - ${deployment("web", replicas).replace(/\n/g, "\n        ")}
stop: { when: timeLimit, timeLimit: ${timeLimit} }
`;
}

describe("validate refuses what run could not finish", () => {
  test(`a scenario name longer than ${MAX_NAME_LENGTH} characters (a directory name) is refused, clipped`, () => {
    const dir = tree({
      "web.yaml": deployment(),
      "s.yaml": scenario().replace("name: small", `name: ${"a".repeat(300)}`),
    });
    const [i, ...rest] = issuesOf(join(dir, "s.yaml"));
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ path: "name", line: 1, column: 7 });
    expect(i!.found.length).toBeLessThanOrEqual(80);
    expect(
      issuesOf(
        join(tree({ "web.yaml": deployment(), "s.yaml": scenario().replace("small", "a".repeat(128)) }), "s.yaml"),
      ),
    ).toEqual([]);
  });

  test("a Deployment name that its copy suffix takes past 253 characters is refused", () => {
    const name = "w".repeat(252);
    const dir = tree({ "web.yaml": deployment(name), "s.yaml": scenario("web.yaml\n    copies: 10") });
    // The fixture labels its pods app: <name>, and a label value has at most 63 characters.
    const label = expect.stringMatching(/^a label value: at most 63 characters/);
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({
        path: "metadata.name",
        line: 3,
        expected: expect.stringMatching(/at most 253 characters/),
      }),
      expect.objectContaining({ path: "spec.template.metadata.labels.app", expected: label }),
      expect.objectContaining({ path: "spec.selector.matchLabels.app", expected: label }),
    ]);
  });

  test("replicas: 1000000000 is refused before anything runs (it was a RangeError after validating)", () => {
    const dir = tree({ "web.yaml": deployment("web", 1_000_000_000), "s.yaml": scenario() });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ path: "workload", expected: expect.stringContaining("at most 15000000 pods") }),
    ]);
    const over = tree({ "web.yaml": deployment("web", 2 ** 31), "s.yaml": scenario() });
    expect(issuesOf(join(over, "s.yaml"))[0]).toMatchObject({ path: "spec.replicas", line: 5 });
  });

  test("timeLimit: 10000h is past the exact range of simulated time and is refused at its line", () => {
    const dir = tree({ "web.yaml": deployment(), "s.yaml": scenario("web.yaml", "  timeLimit: 10000h\n") });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({
        path: "stop.timeLimit",
        line: 18,
        column: 14,
        found: '"10000h"',
        // The bound in the units a scenario writes (100 days), not in raw nanoseconds.
        expected: expect.stringMatching(/^a duration from 1ns to 2400h with a unit/),
      }),
    ]);
  });

  test("a run whose estimated memory passes --max-memory is refused at its largest term", () => {
    const s = sized(20_000, 100, "2000h");
    const err = (() => {
      try {
        parseScenario("big.yaml", s, { limits: { ...limits, maxMemoryBytes: 8 * 2 ** 30 } });
      } catch (e) {
        return (e as { issues: { path: string; line: number; expected: string; found: string }[] }).issues;
      }
      return [];
    })();
    expect(err).toEqual([
      expect.objectContaining({
        path: "stop.timeLimit",
        line: 24,
        column: 37,
        expected: "a run whose estimated peak memory fits --max-memory (8.0 GiB)",
        found: expect.stringMatching(/^an estimated \d+\.\d GiB, mostly the background load of 20000 nodes/),
      }),
    ]);
    expect(() => parseScenario("big.yaml", s, { limits: { ...limits, maxMemoryBytes: 2 ** 40 } })).not.toThrow();
  });
});

describe("the memory estimate", () => {
  test("is within a factor of 2 of the peak RSS measured for a mid-size run (2,000 nodes, 10,001 pods, 2 h: 209 MB)", () => {
    // Measured with /usr/bin/time -v node bin/simctl.js run (see estimate-memory.ts); a recorded
    // figure, so the test cannot flake on the machine's load.
    const measured = 209e6;
    const est = estimateMemory(parseScenario("mid.yaml", sized(2000, 10_001, "2h"))).bytes;
    expect(est / measured).toBeGreaterThan(0.5);
    expect(est / measured).toBeLessThan(2);
  });

  test("is within 25% of the peak RSS measured for the 1,000,000-pod run (bench/scenarios/1m-pods-50k-nodes.yaml: 2.56 GB)", () => {
    // The largest fitted run (see estimate-memory.ts); a recorded figure.
    const est = estimateMemory(
      loadScenario("bench/scenarios/1m-pods-50k-nodes.yaml", { limits: { ...limits, maxMemoryBytes: 2 ** 40 } }),
    );
    expect(est).toMatchObject({ pods: 1_000_000, nodes: 50_000, podTemplates: 1000, largest: "pods" });
    expect(Math.abs(est.bytes / 2.56e9 - 1)).toBeLessThan(0.25);
  });

  test("counts the scheduler's per-node pod count of every pod template, and names it when it is the largest term", () => {
    const many = sized(20_000, 1, "1h").replace("  - at: 0s\n", "  - at: 0s\n    copies: 5000\n");
    const est = estimateMemory(parseScenario("many.yaml", many, { limits: { ...limits, maxMemoryBytes: 2 ** 40 } }));
    expect(est).toMatchObject({ podTemplates: 5000, largest: "podTemplates" });
    expect(() => parseScenario("many.yaml", many, { limits: { ...limits, maxMemoryBytes: 2 ** 28 } })).toThrow(
      /many\.yaml:\d+:\d+: workload: expected a run whose estimated peak memory fits --max-memory \(256 MiB\), found an estimated \d+ MiB, mostly the scheduler's count of each of 5000 pod templates' pods on each of 20000 nodes/,
    );
  });

  test("grows with nodes, pods and simulated time, and counts rollouts and evictions as new pods", () => {
    const e = (n: number, r: number, t: string) => estimateMemory(parseScenario("m.yaml", sized(n, r, t)));
    const base = e(100, 1000, "1h");
    expect(e(200, 1000, "1h").bytes).toBeGreaterThan(base.bytes);
    expect(e(100, 2000, "1h").bytes).toBeGreaterThan(base.bytes);
    expect(e(100, 1000, "2h").bytes).toBeGreaterThan(base.bytes);
    // Node rows: one per node, then a few per pod (fewer than 100 nodes x 361 samples).
    expect(base).toMatchObject({ nodes: 100, pods: 1000, nodeSampleRows: 100 + 4 * 1000, timeSeriesRows: 3601 });
    const rolled = parseScenario(
      "r.yaml",
      `${`${sized(100, 1000, "1h")}  - at: 1m
    update: { deployment: web, image: registry.k8s.io/pause:3.9, replicas: 1200 }
  - at: 2m
    drain: { pool: general, count: 1 }
`.replace("stop: { when: timeLimit, timeLimit: 1h }\n", "")}stop: { when: timeLimit, timeLimit: 1h }\n`,
    );
    expect(estimateMemory(rolled).pods).toBe(1000 + 1200 + 1200);
  });
});
