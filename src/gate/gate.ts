import type { SimulatedSummary } from "../metrics/summary.js";
import { mean, pairedDifference, type PairedDifference } from "../study/stats.js";
import type { BaselineFile, PreparedCase } from "./baseline-file.js";
import { diffResults } from "./diff-results.js";
import { GATE_METRICS, type GateMetric } from "./gate-metrics.js";
import { beyond, boundOf, toleranceFor, type Bound, type Threshold } from "./tolerance.js";

/** Verdict on one metric of one scenario. */
export type GateVerdict = "ok" | "improved" | "REGRESSION" | "no data";

/** One metric of one scenario: baseline and rerun by seed, their paired difference, the bound and the verdict. */
export interface GateRow {
  metric: GateMetric["name"];
  label: string;
  unit: GateMetric["unit"];
  worse: GateMetric["worse"];
  baseline: (number | null)[];
  now: (number | null)[];
  baselineMean: number;
  nowMean: number;
  /** now - baseline, paired by seed, with its t-interval. */
  diff: PairedDifference;
  /** The tolerance as written (`startupP99=+10%`), or undefined for the default 0. */
  tolerance: string | undefined;
  bound: Bound;
  verdict: GateVerdict;
  /** Why, when the interval does not tell: a value lost on some seeds, or too few values. */
  reason: string;
}

/** One scenario of a gate run. */
export interface GateCase {
  name: string;
  file: string;
  /** The scenario text differs from the one the baseline ran. */
  scenarioChanged: boolean;
  /** Every seed's results equal the baseline's exactly. */
  identical: boolean;
  /** Results values that differ from the baseline's, summed over seeds. */
  changedValues: number;
  /** Wall time of the reruns, ms (summed over seeds). */
  wallMs: number;
  rows: GateRow[];
}

/** What `simctl gate` found. */
export interface GateResult {
  seeds: number[];
  confidence: number;
  cases: GateCase[];
  regressions: number;
}

/** A rerun of one case on one seed. */
export interface GateRun {
  summary: SimulatedSummary;
  wallMs: number;
}

/**
 * Compares reruns with a baseline (`runs[c * seeds.length + s]` is case c on seed s, run with
 * the same seed as the baseline: common random numbers). For every metric of
 * {@link GATE_METRICS}: the paired difference now - baseline over seeds with its t-interval
 * at `confidence`; REGRESSION when the whole interval lies beyond the metric's tolerance on
 * its worse side (no tolerance: beyond 0), or when a seed that had a value has none now (e.g.
 * not all pods Running any more); "improved" when the interval excludes 0 on the better side.
 */
export function gateResult(
  baseline: BaselineFile,
  prepared: readonly PreparedCase[],
  runs: readonly GateRun[],
  tolerances: readonly Threshold[],
  confidence: number,
): GateResult {
  const k = baseline.seeds.length;
  let regressions = 0;
  const cases = baseline.cases.map((bc, c): GateCase => {
    const now = baseline.seeds.map((_, s) => runs[c * k + s]!);
    let changed = 0;
    for (let s = 0; s < k; s++)
      changed += diffResults(bc.runs[s]!.results, now[s]!.summary, "results", Infinity).length;
    const rows = GATE_METRICS.map((m): GateRow => {
      const b = bc.runs.map((r) => m.get(r.results));
      const n = now.map((r) => m.get(r.summary));
      const diff = pairedDifference(b, n, confidence);
      const baselineMean = mean(b.filter((x): x is number => x !== null));
      const t = toleranceFor(m, tolerances);
      const bound = boundOf(m, t, baselineMean);
      let lost = 0;
      for (let s = 0; s < k; s++) if (b[s] !== null && n[s] === null) lost++;
      let verdict: GateVerdict;
      let reason = "";
      if (lost > 0) {
        verdict = "REGRESSION";
        reason = `no value now on ${lost} of ${k} seeds that had one${m.name === "timeToAllRunning" ? " (not all pods Running)" : ""}`;
      } else if (diff.n < 2) {
        verdict = "no data";
        // A metric the scenario never has (no such API call) needs no note.
        if (b.some((x) => x !== null) || n.some((x) => x !== null))
          reason = `values on ${diff.n} seed${diff.n === 1 ? "" : "s"} in both runs (two are needed)`;
      } else if (beyond(diff, bound)) {
        verdict = "REGRESSION";
      } else if (diff.significant && (m.worse === "higher" ? diff.hi < 0 : diff.lo > 0)) verdict = "improved";
      else verdict = "ok";
      if (verdict === "REGRESSION") regressions++;
      return {
        metric: m.name,
        label: m.label,
        unit: m.unit,
        worse: m.worse,
        baseline: b,
        now: n,
        baselineMean,
        nowMean: mean(n.filter((x): x is number => x !== null)),
        diff,
        tolerance: t?.text,
        bound,
        verdict,
        reason,
      };
    });
    return {
      name: bc.name,
      file: bc.file,
      scenarioChanged: prepared[c]!.sha256 !== bc.scenarioSha256,
      identical: changed === 0,
      changedValues: changed,
      wallMs: now.reduce((a, r) => a + r.wallMs, 0),
      rows,
    };
  });
  return { seeds: [...baseline.seeds], confidence, cases, regressions };
}
