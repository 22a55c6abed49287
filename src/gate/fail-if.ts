import type { SimulatedSummary } from "../metrics/summary.js";
import { formatMetric } from "../study/compare.js";
import { mean, pairedDifference, type PairedDifference } from "../study/stats.js";
import { beyond, boundOf, type Threshold } from "./tolerance.js";

/** One `--fail-if` checked on one configuration of a comparison against the first. */
export interface FailIfCheck {
  expr: string;
  arm: string;
  diff: PairedDifference;
  baselineMean: number;
  failed: boolean;
}

/**
 * Checks `compare --fail-if` thresholds: for each threshold and each configuration after the
 * first, the paired difference (configuration - first, by seed) of the threshold's metric;
 * failed when its whole interval lies beyond the bound (as the gate decides).
 * `summaries[s * arms.length + a]` is configuration a on seed s (compare's task order).
 */
export function checkFailIf(
  thresholds: readonly Threshold[],
  arms: readonly string[],
  seedCount: number,
  summaries: readonly SimulatedSummary[],
  confidence: number,
): FailIfCheck[] {
  const out: FailIfCheck[] = [];
  for (const t of thresholds) {
    const m = t.metric!;
    const values = (a: number) => Array.from({ length: seedCount }, (_, s) => m.get(summaries[s * arms.length + a]!));
    const base = values(0);
    const baselineMean = mean(base.filter((x): x is number => x !== null));
    const bound = boundOf(m, t, baselineMean);
    for (let a = 1; a < arms.length; a++) {
      const diff = pairedDifference(base, values(a), confidence);
      out.push({ expr: t.text, arm: arms[a]!, diff, baselineMean, failed: beyond(diff, bound) });
    }
  }
  return out;
}

/** One line per check: `--fail-if startupP99>+5%: qps=100 - baseline +7.59 s (+338.6%) [..]: FAILED`. */
export function formatFailIf(checks: readonly FailIfCheck[], thresholds: readonly Threshold[]): string {
  return checks
    .map((c) => {
      const unit = thresholds.find((t) => t.text === c.expr)!.metric!.unit;
      const f = (v: number) =>
        !Number.isFinite(v)
          ? "-"
          : v > 0
            ? `+${formatMetric(unit, v)}`
            : v < 0
              ? `-${formatMetric(unit, -v)}`
              : formatMetric(unit, 0);
      const pct =
        c.baselineMean !== 0 && Number.isFinite(c.diff.meanDiff)
          ? ` (${c.diff.meanDiff >= 0 ? "+" : ""}${((100 * c.diff.meanDiff) / Math.abs(c.baselineMean)).toFixed(1)}%)`
          : "";
      return `--fail-if ${c.expr}: ${c.arm} - baseline ${f(c.diff.meanDiff)}${pct} [${f(c.diff.lo)}, ${f(c.diff.hi)}]: ${c.failed ? "FAILED (the whole interval is beyond it)" : "ok"}`;
    })
    .join("\n");
}
