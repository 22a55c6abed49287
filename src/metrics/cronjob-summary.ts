import { type CronJobCounts, noCronJobCounts } from "../controllers/cronjob-controller.js";
import type { Simulation } from "../sim/simulation.js";

/** summary.json `cronJobs[]`: one CronJob, what its controller did, and its last status. */
export interface CronJobSummary extends CronJobCounts {
  name: string;
  namespace: string;
  schedule: string;
  timeZone: string | null;
  concurrencyPolicy: string;
  suspend: boolean;
  /** status.lastScheduleTime, RFC 3339 on the scenario's wall clock (null: none). */
  lastScheduleTime: string | null;
  /** Its Jobs still active (status.active) at the end of the run. */
  active: number;
}

/** The CronJobs of the run, in creation order (summary.json `cronJobs`). */
export function cronJobSummaries(sim: Simulation): CronJobSummary[] {
  const counts = sim.cronJobController?.counts ?? [];
  return sim.store.cronJobs.map((cj, i) => ({
    name: cj.name,
    namespace: cj.namespace,
    schedule: cj.spec.schedule,
    timeZone: cj.spec.timeZone ?? null,
    concurrencyPolicy: cj.spec.concurrencyPolicy,
    suspend: cj.spec.suspend,
    ...(counts[i] ?? noCronJobCounts()),
    lastScheduleTime: Number.isNaN(cj.lastScheduleMs) ? null : new Date(cj.lastScheduleMs).toISOString(),
    active: cj.active.length,
  }));
}
