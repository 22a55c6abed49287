import { describe, expect, test } from "vitest";
import { runScenario } from "../../src/sim/run-scenario.js";
import { loadScaledScenario } from "../../src/study/scale.js";
import { densityPhases } from "./density-helpers.js";

const S = 1e9;

describe("kubemark-density (kubernetes#42000 on hollow nodes)", () => {
  test("the latency pods' phases are reported and ordered as the e2e density test's", () => {
    // A tenth of the cluster: 50 hollow nodes, 1,500 saturation pods, 50 latency pods.
    const scenario = loadScaledScenario("scenarios/kubemark-density.yaml", 0.1);
    const { summary, simulation } = runScenario(scenario, { write: false });
    expect(summary.timeToAllRunningNs).not.toBeNull();
    const ph = densityPhases(simulation, "latency");
    // #42000: schedule p50 9.3 ms, run after schedule 200 ms, watch 1.03 s, e2e 1.14 s (p50).
    expect(ph.schedule.p50).toBeLessThan(ph.runAfterSchedule.p50);
    expect(ph.runAfterSchedule.p50).toBeLessThan(ph.watch.p50);
    expect(ph.e2e.p50).toBeGreaterThan(ph.watch.p50);
    expect(ph.e2e.p99).toBeLessThan(5 * S);
    const all = summary.podStartupPhases;
    expect(all.schedule.count + all.runAfterSchedule.count + all.watch.count).toBeGreaterThan(0);
  }, 20_000);
});
