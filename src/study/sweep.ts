import { UserError } from "./user-error.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { writeChunksAtomic } from "../metrics/atomic-file.js";
import { checkOutputDir, makeDirs } from "../metrics/result-dir.js";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { readStudyFile, type StudySpec } from "./study-file.js";
import {
  planStudy,
  runDirName,
  studyManifest,
  type PlannedRun,
  type StudyManifest,
  type StudyPlan,
} from "./study-plan.js";
import type { RunOutcome, RunTask } from "./run-task.js";
import { runTasks } from "./worker-pool.js";
import type { InputLimits } from "../scenario/input-files.js";

/** Which share of a study's runs this process runs: runs with `index % count === index`. */
export interface Shard {
  index: number;
  count: number;
}

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** Output directory; default: the study's `outputs`, else `results/studies/<name>`. */
  outDir?: string;
  /** Confinement of inputs and outputs, file size and memory limits (`--allow-path`, `--max-file-size`, `--max-memory`). */
  limits?: InputLimits;
  /** Replaces the study file's `scale`. */
  scale?: number;
  /** Worker threads (default: the machine's cores). */
  workers?: number;
  shard?: Shard;
  onProgress?: (index: number, done: number, total: number) => void;
  onDone?: (outcome: RunOutcome) => void;
  /** Called once the runs this process will do are known (after skipping finished ones). */
  onPlanned?: (toRun: readonly PlannedRun[], skipped: number) => void;
}

/** What a sweep did. */
export interface SweepResult {
  plan: StudyPlan;
  outDir: string;
  /** Runs of this shard, in index order. */
  shardRuns: readonly PlannedRun[];
  /** Runs this call simulated. */
  ran: readonly RunOutcome[];
  /** Runs of this shard already complete in outDir (run.json present), not run again. */
  skipped: number;
}

/**
 * Parses `i/N` (0 <= i < N) into a shard. Returns an error message for anything else.
 */
export function parseShard(text: string): Shard | { error: string } {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(text.trim());
  if (m === null) return { error: `a shard as i/N, e.g. 0/3, found ${JSON.stringify(text)}` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1) || !(index < count)) return { error: `a shard i/N with 0 <= i < N, found ${text}` };
  return { index, count };
}

/** The runs of a plan that belong to a shard (all of them without one). */
export function shardRuns(plan: StudyPlan, shard: Shard | undefined): PlannedRun[] {
  return plan.runs.filter((r) => shard === undefined || r.index % shard.count === shard.index);
}

/** The default output directory of a study. */
export function studyOutDir(spec: StudySpec, override: string | undefined): string {
  return override ?? spec.outputs ?? join("results", "studies", spec.name);
}

/**
 * `simctl sweep`: reads and validates a study (every grid point, before anything runs), writes
 * `<out>/study.json`, then runs this shard's runs on worker threads into
 * `<out>/runs/<index>-<hash>/` (what `simctl run` writes for the scenario, then run.json). The
 * scenario is a cluster scenario or an etcd benchmark (see `scenarioKind`).
 * Runs whose `run.json` already exists are skipped, so a retried shard only does what is left.
 * Throws, before anything runs, when the output directory cannot be written, exists without
 * being a study's results directory (its marker is `study.json`; an empty directory is fine),
 * or its `study.json` describes a different study.
 */
export async function runSweep(studyFile: string, options: SweepOptions = {}): Promise<SweepResult> {
  const { spec: read, locations } = readStudyFile(studyFile, options.limits);
  const spec: StudySpec = options.scale === undefined ? read : { ...read, scale: options.scale };
  const plan = planStudy(spec, locations, options.limits);
  const outDir = studyOutDir(spec, options.outDir);
  const manifest = studyManifest(plan);
  const manifestPath = join(outDir, "study.json");
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const flag = options.outDir !== undefined ? "--out" : spec.outputs !== undefined ? "outputs" : "output directory";
  checkOutputDir(flag, outDir, plan.runs.length > 0 ? [runDirName(plan.runs[0]!)] : []);
  if (
    !existsSync(manifestPath) &&
    existsSync(outDir) &&
    statSync(outDir).isDirectory() &&
    readdirSync(outDir).length > 0
  )
    throw new UserError(
      `${flag} ${outDir}: an existing directory that is not a study's results (it has no study.json); choose a new or empty directory`,
      2,
    );
  if (existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, "utf8")) as StudyManifest;
    if (JSON.stringify({ ...old, simctlVersion: "" }) !== JSON.stringify({ ...manifest, simctlVersion: "" })) {
      throw new UserError(
        `${outDir} holds a different study (its study.json does not match ${studyFile}); choose another --out or remove it`,
      );
    }
  }
  makeDirs(join(outDir, "runs"));
  writeShared(manifestPath, manifestText);
  const mine = shardRuns(plan, options.shard);
  const todo: PlannedRun[] = [];
  for (const r of mine) if (!existsSync(join(outDir, "runs", runDirName(r), "run.json"))) todo.push(r);
  options.onPlanned?.(todo, mine.length - todo.length);
  const tasks: RunTask[] = todo.map((r) => ({
    index: r.index,
    file: spec.scenario,
    text: plan.points[r.point]!.text,
    seed: r.seed,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    outDir: join(outDir, "runs", runDirName(r)),
    info: {
      study: spec.name,
      index: r.index,
      hash: r.hash,
      parameters: Object.fromEntries(spec.parameters.map((p, i) => [p.column, r.values[i]])),
    },
  }));
  const ran = await runTasks(tasks, {
    workers: options.workers,
    onProgress: options.onProgress,
    onDone: options.onDone,
  });
  return { plan, outDir, shardRuns: mine, ran, skipped: mine.length - todo.length };
}

/**
 * Writes a file that several shards may write at once with the same content (on a shared
 * file system): a temporary name unique to this process and thread, fsync, then rename.
 */
function writeShared(path: string, text: string): void {
  writeChunksAtomic(path, [Buffer.from(text)], `${path}.${process.pid}-${threadId}.tmp`);
}
