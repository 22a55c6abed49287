import { UserError, withUserErrors } from "../../study/user-error.js";
import type { CommandModule } from "yargs";
import { formatDuration } from "../../core/time.js";
import { StudyProgress } from "../../study/study-progress.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { parseShard, runSweep, type Shard } from "../../study/sweep.js";
import { etcdSweepTable } from "../../study/etcd-sweep-table.js";
import { clusterOutcome } from "../../study/run-task.js";
import { inputLimits, numberOption, scaleOption, withInputOptions, type InputArgs } from "../input-options.js";
import { COMMANDS } from "../command-index.js";

interface SweepArgs extends InputArgs {
  study: string;
  out?: string;
  workers: number;
  shard?: string;
  scale?: number;
}

/**
 * `simctl sweep STUDY.yaml`: runs a parameter grid times seeds on worker threads, or with
 * `--shard i/N` only the runs with index % N == i (for a Kubernetes Indexed Job or a Slurm
 * array), into `<out>/runs/<index>-<hash>/`. Finished runs are skipped when run again.
 */
export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: COMMANDS.sweep.usage,
  describe: COMMANDS.sweep.describe,
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
          "worker threads (1 runs on the main thread)",
          { integer: true, min: 1 },
          defaultWorkers(),
        ),
      )
      .option("shard", { type: "string", describe: "run only shard i of N (i/N, 0-based): runs with index % N == i" })
      .option("scale", scaleOption("multiply cluster and workload size (replaces the study's scale)")),
  handler: (args) =>
    withUserErrors("sweep", async () => {
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
        workers: args.workers,
        shard,
        scale: args.scale,
        limits: inputLimits(args),
        onPlanned: (todo, skipped) => {
          bar = new StudyProgress(todo.length);
          process.stderr.write(
            `${todo.length} run${todo.length === 1 ? "" : "s"} to do${skipped > 0 ? ` (${skipped} already done, skipped)` : ""} on ${Math.min(args.workers, Math.max(1, todo.length))} worker${args.workers === 1 ? "" : "s"}\n`,
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
};

function table(rows: readonly (readonly string[])[]): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padStart(w[c]!) : x.padStart(w[c]!))).join("  ")).join("\n");
}
