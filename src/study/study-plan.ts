import { createHash } from "node:crypto";
import { dirname, relative } from "node:path";
import type { EtcdBenchmarkScenario, ScenarioKind } from "../scenario/etcd-benchmark-scenario.js";
import { formatIssue, ScenarioError, type ScenarioIssue } from "../scenario/scenario-error.js";
import type { Scenario } from "../scenario/types.js";
import { parseAnyScenario } from "../scenario/validate-file.js";
import { VERSION } from "../version.js";
import { ETCD_RUN_FIGURES } from "./merge.js";
import { scaleScenarioText } from "./scale.js";
import type { StudyLocations, StudySpec } from "./study-file.js";
import { setYamlPath } from "./yaml-path.js";
import type { YamlReader } from "../scenario/yaml-reader.js";
import type { InputLimits } from "../scenario/input-files.js";
import { UserError } from "./user-error.js";

/** One run of a study: a grid point and a seed. */
export interface PlannedRun {
  /** Position in the study: grid points in file order (first parameter slowest), seeds innermost. */
  index: number;
  /** Hash of the resolved scenario and seed (16 hex digits): names the run's directory. */
  hash: string;
  seed: number;
  /** Index of the grid point (runs that differ only in seed share it). */
  point: number;
  /** Value of each study parameter, in the order of `StudySpec.parameters`. */
  values: readonly unknown[];
}

/** A grid point's scenario, ready to run with any seed. */
export interface PlannedPoint {
  /** Scenario YAML with the point's values and the study's scale applied. */
  text: string;
  values: readonly unknown[];
}

/** The expanded, validated study: what `study.json` records and the workers run. */
export interface StudyPlan {
  spec: StudySpec;
  /** The kind of the base scenario; every grid point is read as this kind. */
  kind: ScenarioKind;
  points: readonly PlannedPoint[];
  runs: readonly PlannedRun[];
  /** The seeds every grid point runs with. */
  seeds: readonly number[];
}

/** The plan as written to `<out>/study.json` (machine-independent: no absolute paths, no times). */
export interface StudyManifest {
  format: "simctl.study/1";
  simctlVersion: string;
  name: string;
  /** The scenario file relative to the study file. */
  scenario: string;
  /** Present for a study of an etcd benchmark scenario; absent for a cluster scenario. */
  scenarioKind?: "etcdBenchmark";
  scale: number;
  parameters: { path: string; column: string; values: unknown[] }[];
  seeds: number[];
  runs: { index: number; hash: string; seed: number; values: unknown[] }[];
}

/**
 * Expands a study into its runs and checks every grid point against the scenario before
 * anything runs. A value that makes the scenario invalid is reported at the value in the
 * study file, naming the parameter and what the scenario expected there; every problem is
 * thrown together as a {@link ScenarioError}.
 */
export function planStudy(spec: StudySpec, locations: StudyLocations, limits?: InputLimits): StudyPlan {
  const ctx = locations.root.ctx;
  const lim = limits ?? ctx.limits;
  // The scenario lies in the study's directory tree (or under --allow-path), like a manifest in a scenario's.
  const read = ctx.readReferenced(locations.root.get("scenario"), "the scenario file to sweep");
  ctx.throwIfIssues();
  const base = read!.text;
  // The scenario as written must be valid on its own: its errors are its own, not the study's.
  const baseScenario = parseAnyScenario(spec.scenario, base, { limits: lim });
  const kind = baseScenario.kind;
  if (kind === "etcdBenchmark" && spec.scale !== 1) {
    const expected = "scale 1: an etcd benchmark has no cluster or workload to scale";
    const written = locations.root.get("scale");
    // The study file's scale, unless --scale replaced it.
    if (written.present && written.value() === spec.scale) written.fail(expected);
    else throw new UserError(`--scale: expected ${expected}, found ${spec.scale}`, 2);
  }
  if (kind === "etcdBenchmark")
    spec.parameters.forEach((p, i) => {
      if (ETCD_RUN_FIGURES.some((f) => f.name === p.column))
        locations.parameter[i]!.fail(
          `a parameter column name not already taken (${JSON.stringify(p.column)} is a column of an etcd benchmark study's runs.arrow: name it with { values: [...], column: name })`,
        );
    });
  ctx.throwIfIssues();
  const seeds = spec.seeds ?? [baseScenario.scenario.seed];
  const P = spec.parameters;
  const combos = gridPoints(P.map((p) => p.values.length));
  const points: PlannedPoint[] = [];
  const scenarios: (Scenario | EtcdBenchmarkScenario)[] = [];
  const reported = new Set<string>();
  const report = (reader: YamlReader, key: string, expected: string, found: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    ctx.report(reader.path, reader.offset, expected, found);
  };
  for (const combo of combos) {
    let text = base;
    let ok = true;
    const values = combo.map((v, i) => P[i]!.values[v]);
    for (let i = 0; i < P.length && ok; i++) {
      const r = setYamlPath(text, P[i]!.segments, values[i]);
      if ("error" in r) {
        report(
          locations.parameter[i]!,
          `path:${i}`,
          `a path into the scenario ${relative(process.cwd(), spec.scenario) || spec.scenario}`,
          r.error,
        );
        ok = false;
      } else text = r.text;
    }
    if (!ok) continue;
    try {
      // Validated with the scale applied to the parsed nodes, so errors keep their lines; the
      // workers get the same scenario as self-contained scaled text.
      scenarios.push(parseAnyScenario(spec.scenario, text, { limits: lim, scale: spec.scale }, kind).scenario);
      points.push({ text: scaleScenarioText(spec.scenario, text, spec.scale, lim), values });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      for (const issue of e.issues) attribute(issue, combo, values);
    }
  }
  ctx.throwIfIssues();

  function attribute(issue: ScenarioIssue, combo: readonly number[], values: readonly unknown[]): void {
    for (let i = 0; i < P.length; i++) {
      const p = P[i]!;
      if (issue.path === p.path || issue.path.startsWith(`${p.path}.`) || issue.path.startsWith(`${p.path}[`)) {
        const reader = locations.values[i]![combo[i]!]!;
        report(
          reader,
          `value:${i}:${combo[i]}:${issue.path}:${issue.expected}`,
          `a value of study parameter ${p.path} that makes ${issue.path} ${issue.expected}`,
          `${JSON.stringify(values[i])} (in ${issue.file}:${issue.line}:${issue.column})`,
        );
        return;
      }
    }
    const point = P.map((p, i) => `${p.path}=${JSON.stringify(values[i])}`).join(", ");
    report(
      locations.root.get("parameters"),
      `other:${point}:${formatIssue(issue)}`,
      `grid points the scenario accepts, but with ${point} the scenario is invalid`,
      formatIssue(issue),
    );
  }

  const runs: PlannedRun[] = [];
  for (let point = 0; point < points.length; point++) {
    for (const seed of seeds) {
      runs.push({
        index: runs.length,
        hash: runHash(scenarios[point]!, seed),
        seed,
        point,
        values: points[point]!.values,
      });
    }
  }
  return { spec, kind, points, runs, seeds };
}

/** Every combination of indices for lists of the given lengths, the first list slowest. */
export function gridPoints(lengths: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const len of lengths) {
    const next: number[][] = [];
    for (const prefix of out) for (let v = 0; v < len; v++) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

/**
 * A run's identity: a hash of the resolved scenario (every default filled in, manifests read)
 * and the seed, without the file path, so it is the same on every machine and changes when
 * anything that affects the run changes.
 */
export function runHash(scenario: Scenario | EtcdBenchmarkScenario, seed: number): string {
  const json = JSON.stringify({ ...scenario, file: undefined, seed }, (_k, v: unknown) =>
    v instanceof Map ? Object.fromEntries(v) : v,
  );
  return createHash("sha256").update(json).digest("hex").slice(0, 16);
}

/** The manifest of a plan (see {@link StudyManifest}). */
export function studyManifest(plan: StudyPlan): StudyManifest {
  const s = plan.spec;
  return {
    format: "simctl.study/1",
    simctlVersion: VERSION,
    name: s.name,
    scenario: relative(dirname(s.file), s.scenario).split("\\").join("/"),
    ...(plan.kind === "etcdBenchmark" ? { scenarioKind: plan.kind } : {}),
    scale: s.scale,
    parameters: s.parameters.map((p) => ({ path: p.path, column: p.column, values: [...p.values] })),
    seeds: [...plan.seeds],
    runs: plan.runs.map((r) => ({ index: r.index, hash: r.hash, seed: r.seed, values: [...r.values] })),
  };
}

/** The directory name of a run inside `<study>/runs/`. */
export function runDirName(run: { index: number; hash: string }): string {
  return `${run.index}-${run.hash}`;
}
