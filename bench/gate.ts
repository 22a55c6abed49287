/**
 * The speed gate: a noise-aware comparison of benchmark samples against a baseline.
 *
 * Every benchmark case yields several samples of a cost (ms per iteration, lower is better).
 * The statistic is the ratio of medians now / baseline; its confidence interval comes from a
 * percentile bootstrap that resamples both sample sets independently (medians are robust to
 * the odd slow sample a shared machine produces, and the bootstrap assumes no distribution).
 * A case is a regression only when the interval's LOWER bound exceeds 1 + maxRegression: then
 * even the most favourable reading of the noise says it got slower by more than allowed.
 */

/** One benchmark case's samples, as stored in a result or baseline JSON. */
export interface CaseResult {
  /** Stable case name (the key that matches a baseline). */
  name: string;
  /** Unit of the samples; lower is better. */
  unit: "ms";
  /** Per-sample cost (ms per iteration, or wall ms per end-to-end run). */
  samples: number[];
  /** Figures derived for people (events/s, peak RSS), not compared. */
  info?: Record<string, number | string>;
}

/** A whole bench result file (`--json out.json`, `results/baseline.json`). */
export interface BenchResult {
  /** Where and when it was measured. */
  machine: { node: string; cpu: string; cores: number; memGiB: number; platform: string; note?: string };
  date: string;
  cases: CaseResult[];
}

/** Verdict on one case. */
export type Verdict = "ok" | "faster" | "REGRESSION" | "new" | "missing";

/** The comparison of one case with its baseline. */
export interface CaseComparison {
  name: string;
  baselineMedian: number | null;
  nowMedian: number | null;
  /** nowMedian / baselineMedian. */
  ratio: number | null;
  /** Bootstrap confidence interval of the ratio of medians. */
  low: number | null;
  high: number | null;
  verdict: Verdict;
}

/** Median of a sample (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A small deterministic generator (mulberry32) for the bootstrap, so that the same samples
 * always give the same interval and verdict.
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile-bootstrap confidence interval of median(now) / median(base) at `confidence`
 * (two-sided), from `resamples` independent resamples of each set. Deterministic (fixed seed).
 */
export function ratioInterval(
  base: readonly number[],
  now: readonly number[],
  confidence = 0.95,
  resamples = 2000,
): { ratio: number; low: number; high: number } {
  const ratio = median(now) / median(base);
  if (base.length < 2 || now.length < 2) return { ratio, low: ratio, high: ratio };
  const rnd = mulberry32(0x5eed);
  const rs = new Float64Array(resamples);
  const b = new Float64Array(base.length);
  const n = new Float64Array(now.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < b.length; i++) b[i] = base[Math.floor(rnd() * base.length)]!;
    for (let i = 0; i < n.length; i++) n[i] = now[Math.floor(rnd() * now.length)]!;
    rs[r] = median(Array.from(n)) / median(Array.from(b));
  }
  rs.sort();
  const alpha = (1 - confidence) / 2;
  const at = (q: number): number => rs[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { ratio, low: at(alpha), high: at(1 - alpha) };
}

/**
 * Compares every case of `now` with the same-named case of `baseline`. REGRESSION when the
 * lower confidence bound of now/baseline exceeds 1 + maxRegression; "faster" when the upper
 * bound is below 1 / (1 + maxRegression); otherwise "ok". Cases only in `now` are "new", cases
 * only in the baseline "missing" (neither fails the gate).
 */
export function compareResults(
  baseline: BenchResult,
  now: BenchResult,
  maxRegression: number,
  confidence = 0.95,
): CaseComparison[] {
  const out: CaseComparison[] = [];
  const base = new Map(baseline.cases.map((c) => [c.name, c]));
  for (const c of now.cases) {
    const b = base.get(c.name);
    if (b === undefined) {
      out.push({
        name: c.name,
        baselineMedian: null,
        nowMedian: median(c.samples),
        ratio: null,
        low: null,
        high: null,
        verdict: "new",
      });
      continue;
    }
    const { ratio, low, high } = ratioInterval(b.samples, c.samples, confidence);
    const verdict: Verdict = low > 1 + maxRegression ? "REGRESSION" : high < 1 / (1 + maxRegression) ? "faster" : "ok";
    out.push({
      name: c.name,
      baselineMedian: median(b.samples),
      nowMedian: median(c.samples),
      ratio,
      low,
      high,
      verdict,
    });
  }
  for (const b of baseline.cases) {
    if (!now.cases.some((c) => c.name === b.name))
      out.push({
        name: b.name,
        baselineMedian: median(b.samples),
        nowMedian: null,
        ratio: null,
        low: null,
        high: null,
        verdict: "missing",
      });
  }
  return out;
}

/** The comparison as a table: case, baseline, now, ratio [interval], verdict. */
export function formatComparison(rows: readonly CaseComparison[], maxRegression: number): string {
  const w = Math.max(20, ...rows.map((r) => r.name.length));
  const f = (v: number | null): string =>
    v === null ? "-" : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
  const lines = [
    `${"case".padEnd(w)}  ${"baseline ms".padStart(12)}  ${"now ms".padStart(12)}  ${"ratio [95% CI]".padStart(22)}  verdict (regression = CI low > ${(1 + maxRegression).toFixed(2)})`,
  ];
  for (const r of rows) {
    const ratio = r.ratio === null ? "-" : `${r.ratio.toFixed(3)} [${r.low!.toFixed(3)}, ${r.high!.toFixed(3)}]`;
    lines.push(
      `${r.name.padEnd(w)}  ${f(r.baselineMedian).padStart(12)}  ${f(r.nowMedian).padStart(12)}  ${ratio.padStart(22)}  ${r.verdict}`,
    );
  }
  return lines.join("\n");
}

/** Parses `10%`, `10` (percent) or `0.1` into a fraction. */
export function parseFraction(s: string): number {
  const t = s.trim();
  const v = t.endsWith("%") ? Number(t.slice(0, -1)) / 100 : Number(t) >= 1 ? Number(t) / 100 : Number(t);
  if (!(v >= 0) || !Number.isFinite(v))
    throw new Error(`--max-regression: expected a percentage such as 10%, found ${s}`);
  return v;
}
