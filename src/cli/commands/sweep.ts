import { UserError, withUserErrors } from "../../study/user-error.js";
import type { CommandModule } from "yargs";
import { formatDuration } from "../../core/time.js";
import { StudyProgress } from "../../study/study-progress.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { parseShard, runSweep, type Shard } from "../../study/sweep.js";
import { etcdSweepTable } from "../../study/etcd-sweep-table.js";
import { clusterOutcome } from "../../study/run-task.js";
import { join } from "node:path";
import { BATCH_ENGINES, emitStudy, writeEmitted, type BatchEngine } from "../../study/emit.js";
import { DEFAULT_IMAGE, DEFAULT_PVC } from "../../study/emit-kubernetes.js";
import { inputLimits, numberOption, scaleOption, withInputOptions, type InputArgs } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface SweepArgs extends InputArgs {
  study: string;
  out?: string;
  workers?: number;
  shard?: string;
  scale?: number;
  emit?: BatchEngine;
  "emit-dir"?: string;
  image?: string;
  pvc?: string;
  shards?: number;
  parallelism?: number;
}

/**
 * `simctl sweep STUDY.yaml`: runs a parameter grid times seeds on worker threads, or with
 * `--shard i/N` only the runs with index % N == i (for a Kubernetes Indexed Job or a Slurm
 * array), into `<out>/runs/<index>-<hash>/`. Finished runs are skipped when run again.
 */
export const sweepCommand: CommandModule<object, SweepArgs> = commandModule("sweep", {
  builder: (y) =>
    withInputOptions(y, "study", "study YAML file")
      .option("out", {
        type: "string",
        describe: "output directory (default: the study's outputs, else results/studies/<name>)",
      })
      .option(
        "workers",
        numberOption(
          "--workers",
          "worker threads (1 runs on the main thread; default: the machine's cores, with --emit 1 per shard)",
          { integer: true, min: 1 },
        ),
      )
      .option("shard", { type: "string", describe: "run only shard i of N (i/N, 0-based): runs with index % N == i" })
      .option("scale", scaleOption("multiply cluster and workload size (replaces the study's scale)"))
      .option("emit", {
        choices: BATCH_ENGINES,
        describe: "write what runs the study on a batch engine (an Indexed Job, a Slurm array) instead of running it",
      })
      .option("emit-dir", {
        type: "string",
        requiresArg: true,
        describe: "with --emit: directory for the files (default <study>.<engine>); - writes one stream to stdout",
      })
      .option(
        "shards",
        numberOption("--shards", "with --emit: shards (default: one per run)", { integer: true, min: 1 }),
      )
      .option(
        "parallelism",
        numberOption("--parallelism", "with --emit: shards running at once (default: all)", { integer: true, min: 1 }),
      )
      .option("image", {
        type: "string",
        describe: `with --emit kubernetes: the simctl image (default ${DEFAULT_IMAGE})`,
      })
      .option("pvc", {
        type: "string",
        describe: `with --emit kubernetes: the ReadWriteMany PersistentVolumeClaim for results (default ${DEFAULT_PVC})`,
      }),
  handler: (args) =>
    withUserErrors("sweep", async () => {
      if (args.emit !== undefined) return emit(args, args.emit);
      for (const f of ["emit-dir", "shards", "parallelism", "image", "pvc"] as const)
        if (args[f] !== undefined) throw new UserError(`--${f} goes with --emit`);
      const workers = args.workers ?? defaultWorkers();
      let shard: Shard | undefined;
      if (args.shard !== undefined) {
        const s = parseShard(args.shard);
        if ("error" in s) throw new UserError(`--shard: expected ${s.error}`);
        shard = s;
      }
      const started = performance.now();
      let bar: StudyProgress | undefined;
      let unfinished = 0;
      const r = await runSweep(args.study, {
        outDir: args.out,
        workers,
        shard,
        scale: args.scale,
        limits: inputLimits(args),
        onPlanned: (todo, skipped) => {
          bar = new StudyProgress(todo.length);
          process.stderr.write(
            `${todo.length} run${todo.length === 1 ? "" : "s"} to do${skipped > 0 ? ` (${skipped} already done, skipped)` : ""} on ${Math.min(workers, Math.max(1, todo.length))} worker${workers === 1 ? "" : "s"}\n`,
          );
        },
        onProgress: (i, done, total) => bar?.progress(i, done, total),
        onDone: (o) => {
          bar?.finished(o.index);
          if (o.kind === "cluster" && o.summary.timeToAllRunningNs === null) unfinished++;
        },
      });
      bar?.finish();
      const p = r.plan;
      const grid = p.spec.parameters.map((x) => `${x.values.length} ${x.path}`).join(" x ");
      process.stdout.write(
        `study ${p.spec.name}: ${p.runs.length} runs (${grid === "" ? "1 point" : grid} x ${p.seeds.length} seed${p.seeds.length === 1 ? "" : "s"}${p.spec.scale === 1 ? "" : `, scale ${p.spec.scale}`})\n`,
      );
      if (shard !== undefined)
        process.stdout.write(`shard ${shard.index}/${shard.count}: ${r.shardRuns.length} runs\n`);
      if (p.kind === "etcdBenchmark") {
        // Per grid point and benchmark entry, the mean over the seeds this process ran.
        const rows = etcdSweepTable(p, r.ran);
        if (rows.length > 1) process.stdout.write(`${table(rows)}\n`);
      } else {
        const cols = p.spec.parameters.map((x) => x.column);
        const header = ["run", ...cols, "seed", "all Running", "startup p99", "nodes used"];
        const rows = r.ran.map((outcome) => {
          const o = clusterOutcome(outcome);
          const run = p.runs[o.index]!;
          return [
            String(o.index),
            ...run.values.map((v) => String(v)),
            String(run.seed),
            o.summary.timeToAllRunningNs === null ? "not all" : formatDuration(o.summary.timeToAllRunningNs),
            o.summary.podStartup.p99Ns === null ? "-" : formatDuration(o.summary.podStartup.p99Ns),
            `${o.placement.nodesUsed}/${o.placement.nodes}`,
          ];
        });
        if (rows.length > 0) process.stdout.write(`${table([header, ...rows])}\n`);
      }
      process.stdout.write(
        `ran ${r.ran.length}, skipped ${r.skipped} finished, in ${((performance.now() - started) / 1000).toFixed(1)} s wall -> ${r.outDir}/runs/\n`,
      );
      if (unfinished > 0)
        process.stdout.write(
          `note: ${unfinished} run${unfinished === 1 ? "" : "s"} stopped before all pods were Running (see pods_running in the merged runs.arrow)\n`,
        );
      process.stdout.write(
        p.kind === "etcdBenchmark"
          ? `next: simctl merge ${r.outDir}   (runs.arrow: a row per run and benchmark entry)\n`
          : `next: simctl merge ${r.outDir}   then: simctl report ${r.outDir}\n`,
      );
    }),
});

/** `sweep --emit ENGINE`: writes the engine's files (or one stream to stdout) and says how to submit them. */
function emit(args: SweepArgs, engine: BatchEngine): void {
  if (args.shard !== undefined) throw new UserError("--shard with --emit: the engine's index picks each shard");
  const e = emitStudy(args.study, {
    engine,
    workers: args.workers ?? 1,
    limits: inputLimits(args),
    ...(args.shards === undefined ? {} : { shards: args.shards }),
    ...(args.parallelism === undefined ? {} : { parallelism: args.parallelism }),
    ...(args.image === undefined ? {} : { image: args.image }),
    ...(args.pvc === undefined ? {} : { pvc: args.pvc }),
    ...(args.out === undefined ? {} : { out: args.out }),
    ...(args.scale === undefined ? {} : { scale: args.scale }),
    ...(args["max-file-size"] === undefined ? {} : { maxFileBytes: args["max-file-size"] }),
    ...(args["max-memory"] === undefined ? {} : { maxMemoryBytes: args["max-memory"] }),
  });
  const dir = args["emit-dir"] ?? `${e.inputs.plan.spec.name}.${engine}`;
  if (dir === "-") {
    process.stdout.write(e.stream);
    return;
  }
  writeEmitted(dir, e.files);
  const runs = e.inputs.plan.runs.length;
  process.stdout.write(
    `study ${e.inputs.plan.spec.name}: ${runs} run${runs === 1 ? "" : "s"} in ${e.shards} shard${e.shards === 1 ? "" : "s"}, ${e.parallelism} at once, ${e.inputs.files.length} input file${e.inputs.files.length === 1 ? "" : "s"}\n`,
  );
  for (const f of e.files) process.stdout.write(`  ${join(dir, f.name)}\n`);
  process.stdout.write(`submit: ${join(dir, "submit.sh")}   (runs: ${e.submit.join(" && ")})\n`);
}

function table(rows: readonly (readonly string[])[]): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padStart(w[c]!) : x.padStart(w[c]!))).join("  ")).join("\n");
}
