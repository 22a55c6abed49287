import type { Simulation } from "../sim/simulation.js";

/** summary.json `progressDeadlineExceeded[]`: a Deployment whose rollout made no progress for progressDeadlineSeconds. */
export interface ProgressDeadlineSummary {
  name: string;
  namespace: string;
  /** When its Progressing condition went False, reason ProgressDeadlineExceeded (lastUpdateTime + the deadline). */
  exceededAtNs: number;
  /** The condition at the end of the run: False (still stuck) or True (progress came later). */
  progressing: "True" | "False";
  reason: string;
}

/** The Deployments whose Progressing condition went False during the run, in creation order (may be empty). */
export function progressDeadlineSummaries(sim: Simulation): ProgressDeadlineSummary[] {
  const progress = sim.deploymentController.progress;
  progress.settle(sim.store.deployments, sim.engine.now);
  const out: ProgressDeadlineSummary[] = [];
  for (const dep of sim.store.deployments) {
    const c = progress.conditions[dep.idx];
    if (c === undefined || Number.isNaN(c.exceededAtNs)) continue;
    const stuck = c.reason === "ProgressDeadlineExceeded";
    out.push({
      name: dep.spec.name,
      namespace: dep.spec.namespace,
      exceededAtNs: c.exceededAtNs,
      progressing: stuck ? "False" : "True",
      reason: c.reason,
    });
  }
  return out;
}
