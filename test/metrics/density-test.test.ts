import { describe, expect, test } from "vitest";
import { apiSecond, densityTestPhases, type DensityTestInstants } from "../../src/metrics/density-test.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";

const S = 1e9;
const MS = 1e6;
/** Simulated 0 is 00:00:00.300 wall clock: API timestamps fall on sim -0.3 s, 0.7 s, 1.7 s, ... */
const START_MS = Date.UTC(2026, 0, 1) + 300;

describe("apiSecond: a wall-clock instant truncated to its second, in simulated time", () => {
  test("the start's sub-second part sets where the seconds fall", () => {
    expect(apiSecond(0.65 * S, START_MS)).toBe(-0.3 * S);
    expect(apiSecond(0.7 * S, START_MS)).toBe(0.7 * S);
    expect(apiSecond(1.69 * S, START_MS)).toBe(0.7 * S);
    expect(apiSecond(1.5 * S, Date.UTC(2026, 0, 1))).toBe(1 * S);
    // A start before 1970 has a negative ms count: its sub-second part is still 0..999 ms.
    expect(apiSecond(0, -700)).toBe(-0.3 * S);
  });
});

describe("densityTestPhases: the e2e density test's latencies from its instants", () => {
  // created 0.65 s, Scheduled Event 0.71 s, startedAt 1.50 s, seen Running by the test at 1.90 s.
  const pod: DensityTestInstants = { created: 0.65 * S, scheduled: 0.71 * S, run: 1.5 * S, watched: 1.9 * S };

  test("exact: plain differences", () => {
    const ph = densityTestPhases([pod], null, START_MS);
    expect(ph.schedule[0]).toBeCloseTo(60 * MS, -1);
    expect(ph.runAfterSchedule[0]).toBeCloseTo(790 * MS, -1);
    expect(ph.watch[0]).toBeCloseTo(400 * MS, -1);
    expect(ph.e2e[0]).toBeCloseTo(1250 * MS, -1);
  });

  test("seconds (JSON, Kubernetes 1.0): created -> -0.3 s, scheduled -> 0.7 s, startedAt -> 0.7 s", () => {
    const ph = densityTestPhases([pod], "seconds", START_MS);
    expect(ph.schedule[0]).toBeCloseTo(1000 * MS, -1);
    expect(ph.runAfterSchedule[0]).toBeCloseTo(0, -1);
    expect(ph.watch[0]).toBeCloseTo(1200 * MS, -1);
    expect(ph.e2e[0]).toBeCloseTo(2200 * MS, -1);
  });

  test("protobuf-nanos (1.6): only startedAt is whole seconds, so run after schedule can be negative", () => {
    const ph = densityTestPhases([pod], "protobuf-nanos", START_MS);
    expect(ph.schedule[0]).toBeCloseTo(60 * MS, -1);
    expect(ph.runAfterSchedule[0]).toBeCloseTo(-10 * MS, -1);
    expect(ph.watch[0]).toBeCloseTo(1200 * MS, -1);
    expect(ph.e2e[0]).toBeCloseTo(1250 * MS, -1);
  });

  test("startedAt spread over the second: the watch latency grows by the mean fraction cut off", () => {
    // Runs every 10 ms over 100 s, each seen 400 ms later: the cut-off fractions are 0, 0.01,
    // ..., 0.99 s equally often, whose mean is 0.495 s; run after schedule loses the same.
    const pods: DensityTestInstants[] = [];
    for (let k = 0; k < 10_000; k++) {
      const run = k * 10 * MS;
      pods.push({ created: run - 500 * MS, scheduled: run - 300 * MS, run, watched: run + 400 * MS });
    }
    const ph = densityTestPhases(pods, "protobuf-nanos", Date.UTC(2026, 0, 1));
    const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(ph.watch)).toBeCloseTo(895 * MS, -3);
    expect(mean(ph.runAfterSchedule)).toBeCloseTo(-195 * MS, -3);
    expect(mean(ph.e2e)).toBeCloseTo(900 * MS, -3);
  });
});

describe("densityTest: in a scenario", () => {
  const base = `name: t
cluster: { nodePools: [{ name: p, count: 1, allocatable: { cpu: 4, memory: 8Gi, pods: 110 } }] }
workload:
  - at: 0s
    deployments:
      - { apiVersion: apps/v1, kind: Deployment, metadata: { name: web }, spec: { replicas: 1, selector: { matchLabels: { a: b } }, template: { metadata: { labels: { a: b } }, spec: { containers: [{ name: c, image: nginx }] } } } }
`;
  test("a Deployment that is not in the workload is refused with its line", () => {
    expect(() => parseScenario("t.yaml", `${base}densityTest: { pods: latency }\n`)).toThrow(
      /t\.yaml:7:\d+: densityTest\.pods: expected one of the workload's Deployments \(web\)/,
    );
  });
  test("apiTimestamps takes seconds or protobuf-nanos", () => {
    expect(() => parseScenario("t.yaml", `${base}densityTest: { apiTimestamps: micro }\n`)).toThrow(
      /densityTest\.apiTimestamps: expected one of seconds, protobuf-nanos/,
    );
    expect(parseScenario("t.yaml", `${base}densityTest: { pods: web }\n`).densityTest).toEqual({
      deployment: "web",
      apiTimestamps: "seconds",
    });
  });
});
