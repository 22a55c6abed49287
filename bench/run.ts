import { cpus, platform, totalmem } from "node:os";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { Bench } from "tinybench";
import { engineBench, engineInfo } from "./engine.bench.js";
import { WATCH_EVENTS, watchBench } from "./watch.bench.js";
import { BENCH_PODS, schedulerBench, schedulerPassInfo, schedulerThroughputBench } from "./scheduler.bench.js";
import { ARROW_ROWS, arrowBench } from "./arrow.bench.js";
import { BARE_NODE_CASE, E2E_CASES, runE2E } from "./e2e.bench.js";
import { compareResults, formatComparison, median, parseFraction, type BenchResult, type CaseResult } from "./gate.js";
import { REPO_ROOT, updateGolden } from "./golden.js";

/**
 * `npm run bench -- [options]` and `simctl bench [options]` (which compiles and runs this file).
 *
 *   --baseline FILE        compare with a baseline result (e.g. results/baseline.json)
 *   --max-regression P     allowed slow-down before a case fails: 10% (default), 0.1 or 10
 *   --json FILE            where to write this run's result (default results/runs/bench.json)
 *   --only REGEX           run only the cases whose name matches
 *   --rounds N             samples per tinybench case (default 7; each a round of --round-ms)
 *   --round-ms MS          measuring time per case per round (default 400)
 *   --e2e-samples N        runs per end-to-end case (default: 5 for 10k-pods, 3 for density)
 *   --note TEXT            a note stored with the machine description
 *   --update-golden [...]  regenerate results/golden/*.json (all cases, or the names given) and exit
 *
 * Exit code 1 when a case is a significant regression (see gate.ts), 0 otherwise.
 */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      baseline: { type: "string" },
      "max-regression": { type: "string", default: "10%" },
      json: { type: "string", default: join(REPO_ROOT, "results", "runs", "bench.json") },
      only: { type: "string" },
      rounds: { type: "string", default: "7" },
      "round-ms": { type: "string", default: "400" },
      "e2e-samples": { type: "string" },
      note: { type: "string" },
      "update-golden": { type: "boolean", default: false },
    },
  });
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  if (values["update-golden"]) {
    const done = updateGolden(positionals, out);
    out(
      `${done.filter((d) => d.changed).length} of ${done.length} golden files changed (results/golden/); review with git diff and commit them with the change that caused them`,
    );
    return 0;
  }
  const maxRegression = parseFraction(values["max-regression"]);
  const only = values.only === undefined ? undefined : new RegExp(values.only);
  const want = (name: string): boolean => only === undefined || only.test(name);
  const rounds = positiveInt("--rounds", values.rounds);
  const roundMs = positiveInt("--round-ms", values["round-ms"]);
  const e2eSamples =
    values["e2e-samples"] === undefined ? undefined : positiveInt("--e2e-samples", values["e2e-samples"]);
  const baseline =
    values.baseline === undefined ? undefined : (JSON.parse(readFileSync(values.baseline, "utf8")) as BenchResult);

  const cpu = cpus()[0]?.model ?? "unknown cpu";
  const result: BenchResult = {
    machine: {
      node: process.version,
      cpu,
      cores: cpus().length,
      memGiB: Math.round(totalmem() / 2 ** 30),
      platform: `${platform()} ${process.arch}`,
      ...(values.note === undefined ? {} : { note: values.note }),
    },
    date: new Date().toISOString(),
    cases: [],
  };
  out(
    `node ${process.version}, ${result.machine.cores} x ${cpu}, ${result.machine.memGiB} GiB; ${rounds} rounds x ${roundMs} ms per case`,
  );

  const perSec = (unitsPerIteration: number, unit: string) => (ms: number) => ({
    [unit]: Number(((unitsPerIteration / ms) * 1e3).toPrecision(4)),
  });
  // The figures of a case, from its name and the cases of its suite (for in-run ratios).
  const suites: [() => Bench, (name: string, cases: CaseResult[]) => (ms: number) => Record<string, number>][] = [
    [engineBench, engineInfo],
    [watchBench, () => (ms) => ({ "ns per pod event": Math.round((ms * 1e6) / WATCH_EVENTS) })],
    [schedulerBench, schedulerPassInfo],
    [schedulerThroughputBench, () => perSec(BENCH_PODS, "pods/s")],
    [arrowBench, () => perSec(ARROW_ROWS, "rows/s")],
  ];
  for (const [make, info] of suites) {
    const cases = await runSuite(make, want, rounds, roundMs);
    for (const c of cases) {
      c.info = info(c.name, cases)(median(c.samples));
      result.cases.push(c);
      out(formatCase(c));
    }
  }
  for (const e of E2E_CASES) {
    if (!want(e.name)) continue;
    const n = e2eSamples ?? e.samples;
    const samples: number[] = [];
    let rss = 0;
    let events = 0;
    for (let i = 0; i < n; i++) {
      const s = runE2E(REPO_ROOT, e);
      samples.push(Math.round(s.wallMs));
      rss = Math.max(rss, s.maxRssKiB);
      events = s.events;
    }
    // The in-run baseline of a whole process: this case's median wall over `node -e 0`'s.
    const bare = result.cases.find((x) => x.name === BARE_NODE_CASE);
    const c: CaseResult = {
      name: e.name,
      unit: "ms",
      samples,
      info: {
        "peak RSS MiB": Math.round(rss / 1024),
        events,
        ...(bare === undefined || e.name === BARE_NODE_CASE
          ? {}
          : { ratioToNodeE0: Number((median(samples) / median(bare.samples)).toPrecision(3)) }),
      },
    };
    result.cases.push(c);
    out(formatCase(c));
  }
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  out(`result: ${values.json}`);
  if (baseline === undefined) return 0;
  // With --only, the baseline's other cases were not run on purpose: leave them out.
  const rows = compareResults(
    { ...baseline, cases: baseline.cases.filter((c) => want(c.name)) },
    result,
    maxRegression,
  );
  out("");
  out(
    `baseline: ${values.baseline} (${baseline.machine.cores} x ${baseline.machine.cpu}, node ${baseline.machine.node}, ${baseline.date})`,
  );
  out(formatComparison(rows, maxRegression));
  const bad = rows.filter((r) => r.verdict === "REGRESSION");
  out(
    bad.length === 0
      ? "speed gate: pass"
      : `speed gate: FAIL (${bad.length} significant regression${bad.length === 1 ? "" : "s"}: ${bad.map((r) => r.name).join(", ")})`,
  );
  if (bad.length > 0)
    out(
      "(another process slows every case alike: check the machine's load, e.g. with uptime, and run again before believing a regression)",
    );
  return bad.length === 0 ? 0 : 1;
}

/**
 * Runs one tinybench suite `rounds` times and returns, per case, the mean ms per iteration of
 * each round as its samples. perf: rounds spread the samples over time, so a burst of load
 * from another process on a shared machine spoils one sample rather than the whole figure.
 */
async function runSuite(
  make: () => Bench,
  want: (name: string) => boolean,
  rounds: number,
  roundMs: number,
): Promise<CaseResult[]> {
  const bench = make();
  const tasks = bench.tasks.filter((t) => want(t.name));
  if (tasks.length === 0) return [];
  for (const t of bench.tasks) if (!want(t.name)) bench.remove(t.name);
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  // tinybench runs at least `iterations` (64 by default) per run whatever the time: a round is
  // `roundMs` of measuring and at least 2 iterations, after a short warm-up in the first round.
  const b = bench as unknown as {
    time: number;
    iterations: number;
    warmup: boolean;
    warmupTime: number;
    warmupIterations: number;
  };
  b.time = roundMs;
  b.iterations = 2;
  b.warmupTime = Math.min(250, roundMs);
  b.warmupIterations = 2;
  for (let r = 0; r < rounds; r++) {
    b.warmup = r === 0;
    if (r > 0) bench.reset();
    await bench.run();
    for (const t of bench.tasks) {
      const res = t.result;
      if (res === undefined || !("latency" in res))
        throw new Error(`bench case ${t.name} failed: ${JSON.stringify(res)}`);
      samples.get(t.name)!.push(Number(res.latency.mean.toPrecision(6)));
    }
  }
  return tasks.map((t) => ({ name: t.name, unit: "ms", samples: samples.get(t.name)! }));
}

function formatCase(c: CaseResult): string {
  const info = Object.entries(c.info ?? {})
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  const f = (v: number): string => (v >= 1000 ? v.toFixed(0) : v.toPrecision(4));
  return `${c.name.padEnd(64)} ${f(median(c.samples)).padStart(10)} ms  ${info.padEnd(34)} (${c.samples.length} samples, ${f(Math.min(...c.samples))}..${f(Math.max(...c.samples))})`;
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a whole number >= 1, found ${v}`);
  return n;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`simctl bench: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
