import { expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";

test("10k-pods with the scheduler wired to the run's vocabulary and manifests", () => {
  const s = loadScenario("scenarios/10k-pods.yaml");
  const sim = new Simulation(s);
  const t0 = performance.now();
  sim.run();
  console.log(
    (performance.now() - t0).toFixed(0),
    "ms",
    sim.store.runningPods,
    sim.scheduler.cycles,
    sim.scheduler.log.row(5000),
  );
  expect(sim.store.runningPods).toBe(10000);
}, 120000);
