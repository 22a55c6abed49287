import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { CommandModule } from "yargs";
import { parseTraceWindow, type TraceWindow } from "../../core/trace.js";
import { formatSummary } from "../../metrics/format-summary.js";
import { checkOutputDir, interrupting, onInterrupt } from "../../metrics/result-dir.js";
import { estimateMemory, formatBytes } from "../../scenario/estimate-memory.js";
import { formatInputReport } from "../../scenario/inputs/input-report.js";
import { existingRunHash, scenarioHash } from "../../sim/scenario-hash.js";
import { sourceWorkerUrl } from "../../study/source-loader.js";
import { UserError } from "../../study/user-error.js";
import { errorFromWorker } from "../../study/worker-error.js";
import { WORKER_YOUNG_GENERATION_MB, workerHeapMb } from "../heap.js";
import {
  inputLimits,
  numberOption,
  scaleOption,
  SEED_RULE,
  withInputOptions,
  type ScenarioArgs,
} from "../input-options.js";
import { ProgressBar } from "../progress.js";
import { loadRunInput, type RunRequest, type RunWorkerData, type RunWorkerMessage } from "../run-request.js";
import { commandModule } from "../command-index.js";

interface RunArgs extends ScenarioArgs {
  seed?: number;
  json: boolean;
  force: boolean;
  trace?: string;
  traceWindow?: string;
}

/**
 * `simctl run SCENARIO`: validates the scenario and checks `--out`, simulates on a worker
 * thread (the main thread handles SIGINT/SIGTERM: the run is stopped, its temporary directory
 * removed, exit 130/143; the worker's heap is sized from the memory estimate), writes
 * `<out>/<name>-<seed>/` atomically and prints the summary. Exit code 0 when the stop condition
 * was met, 3 when the time limit came first.
 */
export const runCommand: CommandModule<object, RunArgs> = commandModule("run", {
  builder: (y) =>
    withInputOptions(y, "scenario", "scenario YAML file")
      .option("seed", numberOption("--seed", "override the scenario's seed", SEED_RULE))
      .option("out", { type: "string", default: "results/runs", describe: "directory for run outputs" })
      .option("json", { type: "boolean", default: false, describe: "print summary.json instead of the table" })
      .option("force", {
        type: "boolean",
        default: false,
        describe: "replace the results of a different scenario (or --scale) under the same name and seed",
      })
      .option("scale", scaleOption("multiply node pool counts and deployment replicas (e.g. 0.1 for a quick run)"))
      .option("trace", { type: "string", describe: "write every engine event to this Arrow file (events.arrow)" })
      .option("trace-window", {
        type: "string",
        describe: "trace only events in FROM-TO of simulated time, e.g. 10s-20s",
      }),
  handler: async (args) => {
    let window: TraceWindow | undefined;
    if (args.traceWindow !== undefined) {
      const w = args.trace === undefined ? "needs --trace FILE as well" : parseTraceWindow(args.traceWindow);
      if (typeof w === "string") throw new UserError(`--trace-window: ${w}`, 2);
      window = w;
    }
    const limits = inputLimits(args);
    const req: RunRequest = {
      file: args.scenario,
      out: args.out,
      limits,
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      ...(args.scale === undefined ? {} : { scale: args.scale }),
      ...(args.trace === undefined ? {} : { trace: { file: args.trace, ...(window === undefined ? {} : { window }) } }),
    };
    const input = loadRunInput(req);
    const named = input.kind === "etcd" ? input.bench : input.scenario;
    checkOutputDir("--out", args.out, [`${named.name}-${named.seed}`]);
    if (input.kind === "scenario" && !args.force) {
      const dir = join(args.out, `${named.name}-${named.seed}`);
      const there = existingRunHash(dir);
      // perf: the hash serialises the whole resolved scenario; only a run already there needs it.
      const hash = there === undefined ? undefined : scenarioHash(input.scenario);
      if (there !== undefined && there !== hash)
        throw new UserError(
          `${dir} holds the results of a different scenario (hash ${there}; this run's is ${hash}, e.g. another --scale or an edited file): give another --out, or --force to replace them`,
          2,
        );
    }
    if (input.kind === "scenario" && input.scenario.inputs !== undefined)
      process.stderr.write(formatInputReport(input.scenario.inputs));
    const estimate = input.kind === "scenario" ? estimateMemory(input.scenario).bytes : 0;
    const bar = new ProgressBar();
    const done = await runInWorker(req, workerHeapMb(estimate, limits.maxMemoryBytes), estimate, (m) =>
      bar.update(m.nowNs, m.events, m.done, m.total),
    );
    bar.finish();
    if (done.type === "etcd" && input.kind === "etcd") {
      // perf: imported here, since its module holds the etcd benchmark simulator as well.
      const { formatEtcdBenchmark } = await import("../../sim/run-etcd-benchmark.js");
      process.stdout.write(
        args.json
          ? `${JSON.stringify({ results: done.rows }, null, 2)}\n`
          : `${formatEtcdBenchmark(input.bench, done.rows, done.outDir)}\n`,
      );
      return;
    }
    if (done.type !== "scenario" || input.kind !== "scenario") throw new Error("run worker: unexpected reply");
    const { summary, stats, outDir } = done;
    const scenario = input.scenario;
    process.stdout.write(
      args.json
        ? `${JSON.stringify({ results: summary, run: stats }, null, 2)}\n`
        : `${formatSummary(summary, stats, outDir, scenario.outputs)}\n`,
    );
    if (scenario.stop.when === "allRunning" && summary.timeToAllRunningNs === null) process.exitCode = 3;
  },
});

type Reply = Extract<RunWorkerMessage, { type: "scenario" | "etcd" }>;

/**
 * Runs a request on a worker thread with a heap of `heapMb`, registered to be stopped and
 * cleaned up on interrupt. A worker that runs out of heap is a clear error (exit 2), not a V8
 * abort of the process.
 */
function runInWorker(
  req: RunRequest,
  heapMb: number,
  estimatedBytes: number,
  onProgress: (m: Extract<RunWorkerMessage, { type: "progress" }>) => void,
): Promise<Reply> {
  const url = import.meta.url.endsWith(".ts")
    ? sourceWorkerUrl(new URL("../run-worker.ts", import.meta.url))
    : new URL("../run-worker.js", import.meta.url);
  const w = new Worker(url, {
    workerData: { simctlRun: req } satisfies RunWorkerData,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const forget = onInterrupt(w, req.out);
  return new Promise<Reply>((resolve, reject) => {
    let reply: Reply | undefined;
    w.on("message", (m: RunWorkerMessage) => {
      if (m.type === "progress") onProgress(m);
      else if (m.type === "error") {
        reject(errorFromWorker(m));
      } else reply = m;
    });
    w.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY")
        reject(
          new UserError(
            `${req.file}: the run ran out of memory (a ${heapMb} MiB heap; the scenario's estimate was ${formatBytes(estimatedBytes)}): give it more with --max-memory, or make it smaller (--scale, fewer nodes, a shorter stop.timeLimit, a longer kubelet.sampleInterval)`,
            2,
          ),
        );
      else reject(e);
    });
    w.on("exit", (code) => {
      forget();
      if (reply !== undefined) resolve(reply);
      else if (!interrupting()) reject(new Error(`the run worker exited with code ${code}`));
    });
  });
}
