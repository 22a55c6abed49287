import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, extname, relative, resolve, sep } from "node:path";
import type { SimulatedSummary } from "../metrics/summary.js";
import { isEtcdBenchmark } from "../scenario/etcd-benchmark-scenario.js";
import { parseScenario } from "../scenario/load-scenario.js";
import type { RunTask } from "../study/run-task.js";
import { UserError } from "../study/user-error.js";
import { VERSION } from "../version.js";
import { GATE_METRICS } from "./gate-metrics.js";
import { caseText, type ScenarioCase } from "./scenario-case.js";

/** The `format` field of a baseline file; a file with another one is refused. */
export const BASELINE_FORMAT = "simctl-baseline/1";

/** One scenario of a baseline: where it is, how it was scaled, and its results on every seed. */
export interface BaselineCase extends ScenarioCase {
  /** The scenario file, relative to the baseline file's directory (with `/`). */
  readonly file: string;
  /** SHA-256 of the scenario text that ran (after scaling): tells the gate whether it changed since. */
  readonly scenarioSha256: string;
  /** Per seed, in the order of the baseline's `seeds`: summary.json's `results`. */
  readonly runs: readonly { seed: number; results: SimulatedSummary }[];
}

/** What `simctl baseline` writes and `simctl gate` reads. */
export interface BaselineFile {
  format: typeof BASELINE_FORMAT;
  /** The simctl version that recorded it. */
  simctl: string;
  seeds: number[];
  cases: BaselineCase[];
}

/** A case ready to run: its scenario text, resolved file and the text's hash. */
export interface PreparedCase {
  case: ScenarioCase;
  /** The scenario file as the process opens it. */
  path: string;
  text: string;
  sha256: string;
}

/**
 * Cases for scenario files named on the command line: labelled by file name (a second file of
 * the same name gets `#2`), files relative to `root` (the baseline file's directory), `scale`
 * for every one.
 */
export function casesFor(files: readonly string[], root: string, scale: number | undefined): ScenarioCase[] {
  const used = new Map<string, number>();
  return files.map((f) => {
    let name = basename(f, extname(f));
    const k = (used.get(name) ?? 0) + 1;
    used.set(name, k);
    if (k > 1) name = `${name}#${k}`;
    const file = relative(root, resolve(f)).split(sep).join("/");
    return { name, file, ...(scale === undefined ? {} : { scale }) };
  });
}

/**
 * Reads each case's scenario (scaled) and validates it as `run` would, before anything runs: a
 * scenario error is thrown with its locations (exit 2); a missing file or an etcd benchmark is
 * a {@link UserError} with exit 2, its message prefixed with `where` (the baseline file).
 */
export function prepareCases(cases: readonly ScenarioCase[], root: string, where?: string): PreparedCase[] {
  const at = where === undefined ? "" : `${where}: `;
  return cases.map((c) => {
    const path = resolve(root, c.file);
    let text: string;
    try {
      text = caseText(c, root);
    } catch (e) {
      throw new UserError(`${at}scenario ${c.name}: cannot read ${path}: ${(e as Error).message}`, 2);
    }
    if (isEtcdBenchmark(path))
      throw new UserError(
        `${at}${path} is an etcd benchmark: baseline and gate compare cluster scenarios (pods, API, scheduler)`,
        2,
      );
    parseScenario(path, text);
    return { case: c, path, text, sha256: createHash("sha256").update(text).digest("hex") };
  });
}

/** The run tasks of prepared cases times seeds: task `c * seeds.length + s` is case c on seed s. */
export function gateTasks(prepared: readonly PreparedCase[], seeds: readonly number[]): RunTask[] {
  const tasks: RunTask[] = [];
  for (let c = 0; c < prepared.length; c++)
    for (let s = 0; s < seeds.length; s++)
      tasks.push({ index: c * seeds.length + s, file: prepared[c]!.path, text: prepared[c]!.text, seed: seeds[s]! });
  return tasks;
}

/** A baseline file's contents for finished runs (`summaries[c * seeds.length + s]`). */
export function baselineOf(
  prepared: readonly PreparedCase[],
  seeds: readonly number[],
  summaries: readonly SimulatedSummary[],
): BaselineFile {
  return {
    format: BASELINE_FORMAT,
    simctl: VERSION,
    seeds: [...seeds],
    cases: prepared.map((p, c) => ({
      ...p.case,
      scenarioSha256: p.sha256,
      runs: seeds.map((seed, s) => ({ seed, results: summaries[c * seeds.length + s]! })),
    })),
  };
}

/**
 * Reads and checks a baseline file. Anything that is not one `simctl baseline` wrote (not
 * JSON, another format, seeds or runs that do not line up, results without a metric's fields)
 * is a {@link UserError} with exit 2 that says what is wrong where.
 */
export function readBaseline(path: string): { baseline: BaselineFile; root: string } {
  const bad = (what: string) =>
    new UserError(
      `${path}: not a baseline file: ${what} (make one with: simctl baseline SCENARIO... --out ${path})`,
      2,
    );
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`${path}: cannot read the baseline file: ${(e as NodeJS.ErrnoException).code ?? e}`, 2);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(`invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(v)) throw bad("expected a JSON object");
  if (v.format !== BASELINE_FORMAT)
    throw bad(`expected "format": "${BASELINE_FORMAT}", found ${JSON.stringify(v.format)}`);
  const seeds = v.seeds;
  if (!Array.isArray(seeds) || seeds.length < 2 || !seeds.every((s) => Number.isSafeInteger(s) && s >= 0))
    throw bad("expected seeds: an array of at least two whole numbers");
  if (!Array.isArray(v.cases) || v.cases.length === 0) throw bad("expected cases: a non-empty array");
  v.cases.forEach((c: unknown, i: number) => {
    const at = `cases[${i}]`;
    if (!isObject(c)) throw bad(`${at}: expected an object`);
    if (typeof c.name !== "string" || typeof c.file !== "string") throw bad(`${at}: expected name and file strings`);
    if (c.scale !== undefined && !(typeof c.scale === "number" && c.scale > 0))
      throw bad(`${at}.scale: expected a number > 0`);
    if (c.set !== undefined && !Array.isArray(c.set)) throw bad(`${at}.set: expected an array of [path, value]`);
    if (typeof c.scenarioSha256 !== "string") throw bad(`${at}.scenarioSha256: expected a string`);
    if (!Array.isArray(c.runs) || c.runs.length !== seeds.length) throw bad(`${at}.runs: expected one run per seed`);
    c.runs.forEach((r: unknown, s: number) => {
      if (!isObject(r) || r.seed !== seeds[s] || !isObject(r.results))
        throw bad(`${at}.runs[${s}]: expected { seed: ${seeds[s]}, results: {...} }`);
      for (const m of GATE_METRICS) {
        try {
          const x = m.get(r.results as unknown as SimulatedSummary);
          if (x !== null && typeof x !== "number") throw new TypeError(typeof x);
        } catch {
          throw bad(`${at}.runs[${s}].results: no ${m.name} (${m.definition})`);
        }
      }
    });
  });
  return { baseline: v as unknown as BaselineFile, root: dirname(resolve(path)) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
