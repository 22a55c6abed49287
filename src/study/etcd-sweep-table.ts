import type { RunOutcome } from "./run-task.js";
import type { StudyPlan } from "./study-plan.js";

/**
 * The answer of an etcd benchmark sweep for the terminal: per grid point and benchmark entry
 * (in plan order), the mean over the seeds that ran of writes/s and mean latency. Returns the
 * header and one row per (point, entry); points with no run in `ran` are left out.
 */
export function etcdSweepTable(plan: StudyPlan, ran: readonly RunOutcome[]): string[][] {
  const header = [...plan.spec.parameters.map((p) => p.column), "clients", "seeds", "writes/s", "mean latency"];
  const byPoint: { writesPerSec: number[]; meanLatencyMs: number[]; clients: number[]; seeds: number }[] = [];
  for (const o of ran) {
    if (o.kind !== "etcdBenchmark") continue;
    const point = plan.runs[o.index]!.point;
    byPoint[point] ??= { writesPerSec: [], meanLatencyMs: [], clients: [], seeds: 0 };
    const acc = byPoint[point];
    acc.seeds++;
    o.rows.forEach((r, j) => {
      acc.clients[j] = r.clients;
      acc.writesPerSec[j] = (acc.writesPerSec[j] ?? 0) + r.writesPerSec;
      acc.meanLatencyMs[j] = (acc.meanLatencyMs[j] ?? 0) + r.meanLatencyMs;
    });
  }
  const rows = [header];
  // A sparse array: forEach visits only the points that ran, in plan order.
  byPoint.forEach((acc, point) => {
    const values = plan.points[point]!.values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    acc.clients.forEach((clients, j) => {
      rows.push([
        ...values,
        String(clients),
        String(acc.seeds),
        String(Math.round(acc.writesPerSec[j]! / acc.seeds)),
        `${(acc.meanLatencyMs[j]! / acc.seeds).toFixed(2)} ms`,
      ]);
    });
  });
  return rows;
}
