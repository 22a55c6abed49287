import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { insideTree, type InputLimits } from "../scenario/input-files.js";
import { readTopFile } from "../scenario/load-scenario.js";
import { readYamlDocuments, type YamlReader } from "../scenario/yaml-reader.js";
import { RUN_FIGURES } from "./merge.js";
import { formatYamlPath, parseYamlPath, type PathSegment } from "./yaml-path.js";

/** One swept scenario key: a YAML path and the values it takes. */
export interface StudyParameter {
  /** The path as written in the study file, e.g. `cluster.nodePools[0].count`. */
  path: string;
  segments: readonly PathSegment[];
  /** Column name in merged tables (letters, digits and `_`), e.g. `cluster_nodePools_0_count`. */
  column: string;
  values: readonly unknown[];
}

/** A validated study file (`simctl sweep STUDY.yaml`). */
export interface StudySpec {
  /** Path of the study file. */
  file: string;
  name: string;
  /** The scenario file, resolved against the study file's directory. */
  scenario: string;
  parameters: readonly StudyParameter[];
  /** Seeds to run every grid point with; undefined means the scenario's own seed. */
  seeds: readonly number[] | undefined;
  /** Size factor applied after the parameters (see scaleScenarioText); 1 = as written. */
  scale: number;
  /**
   * Output directory, resolved against the study file's directory (which it must lie in,
   * unless an allowed path holds it); undefined = the default, `results/studies/<name>`.
   */
  outputs: string | undefined;
}

/** Where one parameter value sits in the study file, for error messages. */
export interface StudyLocations {
  /** The reader of the study file's root, to report issues against. */
  root: YamlReader;
  /** The reader of each parameter's key (`parameters.<path>`). */
  parameter: readonly YamlReader[];
  /** The reader of each value of each parameter. */
  values: readonly (readonly YamlReader[])[];
}

const STUDY_KEYS = ["name", "scenario", "parameters", "seeds", "scale", "outputs"] as const;
/** Columns every merged table starts with; parameter columns may not take these names (nor those of runs.arrow's figures). */
export const RESERVED_COLUMNS = ["run_index", "run_hash", "seed"] as const;
/** A study may not expand to more runs than this (a typo guard, not a limit of the design). */
export const MAX_RUNS = 1_000_000;

/**
 * Reads and checks a study file. Problems are collected and thrown together as a
 * {@link ScenarioError} located in the study file (file, YAML path, line:column, expected,
 * found), like scenario errors. Grid points are checked against the scenario by
 * `planStudy`, not here.
 *
 * Format:
 * ```yaml
 * name: capacity                 # default: the file name
 * scenario: ../scenarios/10k-pods.yaml   # relative to this file
 * parameters:                    # any scenario key by its YAML path -> the values it takes
 *   cluster.nodePools[0].count: [1000, 2000, 5000]
 *   controlPlane.controllerManager.qps: { values: [20, 50], column: cm_qps }
 * seeds: [1, 2, 3]               # or a count: `seeds: 3` means 1, 2, 3
 * scale: 1                       # multiply cluster and workload size (default 1)
 * outputs: results                # relative to this file and inside its directory tree;
 *                                # default results/studies/<name> in the working directory
 * ```
 * `limits.allowPaths` (`--allow-path DIR`) are further directories `outputs` may lie in.
 */
export function readStudyText(
  file: string,
  text: string,
  limits?: InputLimits,
): { spec: StudySpec; locations: StudyLocations } {
  const { ctx, docs } = readYamlDocuments(file, text, limits === undefined ? {} : { limits });
  const r = docs[0];
  if (r === undefined || docs.length !== 1) {
    ctx.report("", 0, "exactly one YAML document", `${docs.length} documents`);
    ctx.throwIfIssues();
  }
  const root = r!;
  if (!root.object(STUDY_KEYS)) root.fail(`a mapping with keys ${STUDY_KEYS.join(", ")}`);
  const defaultName = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, "-");
  const name = root.get("name").str({
    default: defaultName,
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    expected: "a name of letters, digits, '.', '_' and '-'",
  });
  const scenarioRel = root
    .get("scenario")
    .str({ expected: "the path of the scenario file to sweep, relative to the study file" });
  const scenario = isAbsolute(scenarioRel) ? scenarioRel : join(dirname(file), scenarioRel);
  const parameters: StudyParameter[] = [];
  const paramReaders: YamlReader[] = [];
  const valueReaders: YamlReader[][] = [];
  const columns = new Set<string>([
    ...RESERVED_COLUMNS,
    ...RUN_FIGURES.map((x) => x.name),
    "stop_reason",
    "summary_json",
  ]);
  const pr = root.get("parameters");
  for (const [key, v] of pr.entries(
    "a mapping from scenario path (e.g. cluster.nodePools[0].count) to a list of values",
  )) {
    const parsed = parseYamlPath(key);
    if ("error" in parsed) {
      v.ctx.report(
        v.path,
        v.offset,
        "a scenario path such as cluster.nodePools[0].count",
        `${JSON.stringify(key)}: ${parsed.error}`,
      );
      continue;
    }
    let list: YamlReader;
    let column = columnName(key);
    if (v.isMap()) {
      v.object(["values", "column"]);
      list = v.get("values");
      if (v.has("column"))
        column = v
          .get("column")
          .str({ pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, expected: "a column name of letters, digits and _" });
    } else list = v;
    if (!list.isList()) {
      list.fail("a non-empty list of values, e.g. [1000, 2000, 5000], or { values: [...], column: name }");
      continue;
    }
    const items = list.list();
    if (items.length === 0) list.fail("a non-empty list of values");
    const values = items.map((i) => i.value());
    const seen = new Set<string>();
    items.forEach((item, idx) => {
      const k = JSON.stringify(values[idx]);
      if (values[idx] === null || values[idx] === undefined) item.fail("a value (not null)");
      else if (seen.has(k)) item.fail("a value not listed before for this parameter");
      seen.add(k);
    });
    if (columns.has(column))
      v.fail(
        `a parameter column name not already taken (${JSON.stringify(column)} is: name it with { values: [...], column: name })`,
      );
    columns.add(column);
    parameters.push({ path: formatYamlPath(parsed.segments), segments: parsed.segments, column, values });
    paramReaders.push(v);
    valueReaders.push(items);
  }
  const sr = root.get("seeds");
  let seeds: number[] | undefined;
  if (sr.present) {
    if (sr.isList()) {
      seeds = sr.list().map((s) => s.int({ min: 0, max: 2 ** 53 - 1 }));
      if (seeds.length === 0) sr.fail("a non-empty list of seeds or a count");
      if (new Set(seeds).size !== seeds.length) sr.fail("seeds listed once each");
    } else {
      const count = sr.int({ min: 1, max: 100_000 });
      seeds = Array.from({ length: count }, (_, i) => i + 1);
    }
  }
  const scale = root.get("scale").num({ min: 1e-6, max: 1e6, default: 1 });
  let outputs: string | undefined;
  if (root.has("outputs")) {
    const or = root.get("outputs");
    const written = or.str({ expected: "an output directory" });
    const at = resolve(dirname(file), written);
    const roots = [dirname(file), ...(limits?.allowPaths ?? [])];
    if (roots.some((d) => insideTree(at, d))) outputs = at;
    else
      or.fail(
        `an output directory inside ${dirname(resolve(file))}, the study file's directory (--allow-path DIR allows another)`,
      );
  }
  let runs = seeds?.length ?? 1;
  for (const p of parameters) runs *= Math.max(1, p.values.length);
  if (runs > MAX_RUNS) pr.fail(`a grid of at most ${MAX_RUNS} runs (this one has ${runs})`);
  ctx.throwIfIssues();
  return {
    spec: { file, name, scenario, parameters, seeds, scale, outputs },
    locations: { root, parameter: paramReaders, values: valueReaders },
  };
}

/**
 * Reads a study file from disk (see {@link readStudyText}): a regular file within
 * `limits.maxFileBytes`; the scenario it names is read, confined to the study's directory tree,
 * by `planStudy`.
 */
export function readStudyFile(file: string, limits?: InputLimits): { spec: StudySpec; locations: StudyLocations } {
  return readStudyText(file, readTopFile(file, "study", limits), limits);
}

/** A parameter path as a column name: `cluster.nodePools[0].count` -> `cluster_nodePools_0_count`. */
export function columnName(path: string): string {
  const c = path
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/_+/g, "_");
  return /^[0-9]/.test(c) ? `p_${c}` : c === "" ? "param" : c;
}
