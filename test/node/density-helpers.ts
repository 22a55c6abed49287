import { PodStage, POD_STAGE_COUNT } from "../../src/cluster/pod-table.js";
import { quantiles } from "../../src/metrics/quantiles.js";
import type { Simulation } from "../../src/sim/simulation.js";

/** p50 and p99 (ns) of the time between two stages, over the pods of Deployment `deployment`. */
export function phaseOf(sim: Simulation, deployment: string, from: number, to: number): { p50: number; p99: number } {
  const pods = sim.pods;
  const rsList = sim.store.replicaSets;
  const deps = sim.store.deployments;
  const values: number[] = [];
  for (let p = 0; p < pods.size; p++) {
    const rs = rsList[pods.owner[p]!]!;
    if (deps[rs.deployment]!.spec.name !== deployment) continue;
    const T = pods.times;
    values.push(T[p * POD_STAGE_COUNT + to]! - T[p * POD_STAGE_COUNT + from]!);
  }
  const [p50, p99] = quantiles(Float64Array.from(values), [0.5, 0.99]);
  return { p50: p50!, p99: p99! };
}

/** The phases of upstream's e2e density test for the pods of `deployment`. */
export function densityPhases(sim: Simulation, deployment: string) {
  return {
    schedule: phaseOf(sim, deployment, PodStage.created, PodStage.scheduled),
    runAfterSchedule: phaseOf(sim, deployment, PodStage.scheduled, PodStage.containersStarted),
    watch: phaseOf(sim, deployment, PodStage.containersStarted, PodStage.running),
    e2e: phaseOf(sim, deployment, PodStage.created, PodStage.running),
  };
}
