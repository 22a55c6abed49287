import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import { estimateMemory } from "../scenario/estimate-memory.js";
import type { InputLimits } from "../scenario/input-files.js";
import { parseScenario } from "../scenario/load-scenario.js";
import { readStudyInputs, type StudyInputs } from "./batch-inputs.js";
import { kubernetesFiles } from "./emit-kubernetes.js";
import { slurmFiles } from "./emit-slurm.js";
import { studyOutDir } from "./sweep.js";
import { UserError } from "./user-error.js";

/** The batch engines `simctl sweep --emit` writes for. */
export const BATCH_ENGINES = ["kubernetes", "slurm"] as const;
export type BatchEngine = (typeof BATCH_ENGINES)[number];

/** What `sweep --emit` is asked for (the CLI's flags). */
export interface EmitOptions {
  engine: BatchEngine;
  /** Shards (array tasks, completion indices); default: one per run, within the engine's limit. */
  shards?: number;
  /** Shards running at once; default: all of them (the engine queues what does not fit). */
  parallelism?: number;
  /** Worker threads of each shard (its CPUs). */
  workers: number;
  /** Kubernetes: the container image that holds simctl. */
  image?: string;
  /** Kubernetes: the PersistentVolumeClaim every shard and the merge mount at /results. */
  pvc?: string;
  /** Slurm: the study's results directory on the shared file system; default as `sweep` chooses it. */
  out?: string;
  scale?: number;
  limits?: InputLimits;
  /** The size flags as given (repeated on the engine only when given here). */
  maxFileBytes?: number;
  maxMemoryBytes?: number;
}

/** One file of an emitted job. */
export interface EmittedFile {
  name: string;
  text: string;
  /** Whether it is a script to run. */
  executable: boolean;
}

/** What one engine's writer gets: the study, its inputs and the settled numbers. */
export interface EmitContext {
  inputs: StudyInputs;
  options: EmitOptions;
  /** A name for the engine's objects: lower-case letters, digits and `-`, at most 45 characters. */
  name: string;
  shards: number;
  parallelism: number;
  /** Memory to reserve for one shard, in MiB. */
  memoryMi: number;
  /** `sweep` arguments after the study file and before `--shard`, repeated on every shard. */
  flags: string[];
}

/** What {@link emitStudy} wrote. */
export interface Emitted {
  inputs: StudyInputs;
  shards: number;
  parallelism: number;
  files: readonly EmittedFile[];
  /** Everything in one text, for stdout: a YAML stream, or a script that submits both jobs. */
  stream: string;
  /** The commands that submit it, with the files in `dir`. */
  submit: string[];
}

/**
 * The most shards by default. Slurm's MaxArraySize defaults to 1001 (indices 0..1000); an
 * Indexed Job allows 100,000 completions.
 */
// model: Slurm slurm.conf MaxArraySize (default 1001); Kubernetes pkg/apis/batch/validation
// validation.go maxParallelismForIndexedJob / completions limit of 10^5 for Indexed Jobs.
export const MAX_SHARDS: Record<BatchEngine, number> = { kubernetes: 100_000, slurm: 1000 };

// Estimated peak memory is "within a factor of two" (estimate-memory.ts): reserve twice it, so a
// shard is neither starved by its requests nor killed at a Slurm --mem limit.
const MEMORY_HEADROOM = 2;
/** An etcd benchmark run has no estimate: its tables are small. */
const ETCD_BENCHMARK_BYTES = 256 * 2 ** 20;

/**
 * `simctl sweep STUDY --emit ENGINE`: reads and validates the study as `sweep` would, then
 * writes what runs it on the engine: every shard runs `simctl sweep STUDY --shard i/N` (the
 * engine's index as `i`), then one merge step runs `simctl merge`. Throws a UserError for
 * flags that do not fit the engine or the study.
 */
export function emitStudy(studyFile: string, options: EmitOptions): Emitted {
  const { engine } = options;
  if (engine !== "kubernetes" && (options.image !== undefined || options.pvc !== undefined))
    throw new UserError(`--image and --pvc apply to --emit kubernetes, not --emit ${engine}`);
  if (engine !== "slurm" && options.out !== undefined)
    throw new UserError(
      "--out with --emit kubernetes: the shards write to the PersistentVolumeClaim (--pvc), at /results/<study>",
    );
  const inputs = readStudyInputs(studyFile, options.limits, options.scale);
  const runs = inputs.plan.runs.length;
  const max = MAX_SHARDS[engine];
  if (options.shards !== undefined && options.shards > runs)
    throw new UserError(
      `--shards ${options.shards}: the study has ${runs} run${runs === 1 ? "" : "s"}; give at most that`,
    );
  if (options.shards !== undefined && options.shards > max)
    throw new UserError(`--shards ${options.shards}: ${engine} takes at most ${max} (each shard runs several runs)`);
  const shards = options.shards ?? Math.max(1, Math.min(runs, max));
  const parallelism = Math.min(options.parallelism ?? shards, shards);
  const flags = ["--workers", String(options.workers)];
  if (options.scale !== undefined) flags.push("--scale", String(options.scale));
  if (options.maxFileBytes !== undefined) flags.push("--max-file-size", String(options.maxFileBytes));
  if (options.maxMemoryBytes !== undefined) flags.push("--max-memory", String(options.maxMemoryBytes));
  const ctx: EmitContext = {
    inputs,
    options,
    name: objectName(inputs.plan.spec.name),
    shards,
    parallelism,
    memoryMi: Math.ceil((MEMORY_HEADROOM * options.workers * peakRunBytes(inputs, options.limits)) / 2 ** 20),
    flags,
  };
  if (engine === "kubernetes") return { inputs, shards, parallelism, ...kubernetesFiles(ctx) };
  const out = resolve(studyOutDir(inputs.plan.spec, options.out));
  return { inputs, shards, parallelism, ...slurmFiles(ctx, out) };
}

/** Writes the files into `dir` (made if missing); refuses a path that is not a directory. */
export function writeEmitted(dir: string, files: readonly EmittedFile[]): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UserError(`--emit-dir ${dir}: exists and is not a directory`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    writeFileAtomic(join(dir, f.name), f.text);
    if (f.executable) chmodSync(join(dir, f.name), 0o755);
  }
}

/** The estimated peak memory of the study's largest run, in bytes. */
function peakRunBytes(inputs: StudyInputs, limits: InputLimits | undefined): number {
  const { plan } = inputs;
  if (plan.kind === "etcdBenchmark") return ETCD_BENCHMARK_BYTES;
  let peak = 0;
  for (const p of plan.points) {
    const s = parseScenario(plan.spec.scenario, p.text, limits === undefined ? {} : { limits });
    peak = Math.max(peak, estimateMemory(s).bytes);
  }
  return peak;
}

/** A study name as a Kubernetes object name and Slurm job name: `simctl-` and a DNS-1123 label. */
function objectName(study: string): string {
  const s = study
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-");
  // An Indexed Job's pods are named <job>-<index>-<suffix> and their hostname <job>-<index>
  // must fit a 63-character label: room for "-merge" and six index digits.
  return `simctl-${s}`.slice(0, 45).replace(/-+$/, "");
}
