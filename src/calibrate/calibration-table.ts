import type { PredictedPoint } from "./fit-etcd.js";
import type { Measurement } from "./measurements.js";

function pct(predicted: number, measured: number): string {
  const e = (predicted / measured - 1) * 100;
  return `${e >= 0 ? "+" : ""}${e.toFixed(0)}%`;
}

/** The measured-vs-model table both modes print: one line per point, % errors. */
export function calibrationTable(points: readonly Measurement[], predicted: readonly PredictedPoint[]): string {
  const head =
    "members clients |    ops/s measured   model  err |   p50 ms measured   model  err |   p99 ms measured   model  err";
  const rows = points.map((p, i) => {
    const q = predicted[i]!;
    const col = (m: number, v: number, digits: number) =>
      `${m.toFixed(digits).padStart(17)} ${v.toFixed(digits).padStart(7)} ${pct(v, m).padStart(4)}`;
    return `${String(p.members).padStart(7)} ${String(p.clients).padStart(7)} |${col(p.opsPerS, q.opsPerS, 0)} |${col(p.p50Ms, q.p50Ms, 2)} |${col(p.p99Ms, q.p99Ms, 2)}`;
  });
  return `${head}\n${rows.join("\n")}\n`;
}

/** Counts points within `tolerance` (a fraction) for throughput and p50, the calibration bar. */
export function pointsWithin(
  points: readonly Measurement[],
  predicted: readonly PredictedPoint[],
  tolerance: number,
): number {
  let n = 0;
  points.forEach((p, i) => {
    const q = predicted[i]!;
    if (Math.abs(q.opsPerS / p.opsPerS - 1) <= tolerance && Math.abs(q.p50Ms / p.p50Ms - 1) <= tolerance) n++;
  });
  return n;
}
