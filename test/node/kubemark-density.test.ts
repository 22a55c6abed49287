import { describe, expect, test } from "vitest";
import { runScenario } from "../../src/sim/run-scenario.js";
import { loadScaledScenario } from "../../src/study/scale.js";

const S = 1e9;

describe("kubemark-density (kubernetes#42000 on hollow nodes)", () => {
  test("the latency pods' phases, as the e2e density test measured them, are ordered as #42000's", () => {
    // A tenth of the cluster: 50 hollow nodes, 1,500 saturation pods, 50 latency pods.
    const scenario = loadScaledScenario("scenarios/kubemark-density.yaml", 0.1);
    const { summary } = runScenario(scenario, { write: false });
    expect(summary.timeToAllRunningNs).not.toBeNull();
    const t = summary.densityTest!;
    expect(t.pods).toBe("latency");
    expect(t.apiTimestamps).toBe("protobuf-nanos");
    const ph = t.asMeasured;
    const p50 = (l: { p50Ns: number | null }) => l.p50Ns!;
    expect(ph.e2e.count).toBeGreaterThanOrEqual(45);
    // #42000: schedule p50 9.3 ms, run after schedule 200 ms, watch 1.03 s, e2e 1.14 s (p50).
    expect(p50(ph.schedule)).toBeLessThan(p50(ph.runAfterSchedule));
    expect(p50(ph.runAfterSchedule)).toBeLessThan(p50(ph.watch));
    expect(p50(ph.e2e)).toBeGreaterThan(p50(ph.watch));
    expect(ph.e2e.p99Ns!).toBeLessThan(5 * S);
    // Only startedAt is whole seconds in 1.6 over protobuf: e2e and schedule are exact, and the
    // second cut off startedAt moves time from run-after-schedule to watch.
    expect(ph.e2e).toEqual(t.exact.e2e);
    expect(ph.schedule).toEqual(t.exact.schedule);
    expect(p50(ph.watch)).toBeGreaterThan(p50(t.exact.watch));
    expect(p50(ph.runAfterSchedule)).toBeLessThan(p50(t.exact.runAfterSchedule));
  }, 20_000);
});
