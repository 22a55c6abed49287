import type { CommandModule } from "yargs";
import { loadScenario } from "../../scenario/load-scenario.js";
import { runScenario } from "../../sim/run-scenario.js";
import { formatSummary } from "../../metrics/format-summary.js";
import { ProgressBar } from "../progress.js";
import { loadScaledScenario } from "../../study/scale.js";
import { isEtcdBenchmark, loadEtcdBenchmark } from "../../scenario/etcd-benchmark-scenario.js";
import { formatEtcdBenchmark, runEtcdBenchmarkScenario } from "../../sim/run-etcd-benchmark.js";
import { estimateMemory } from "../../scenario/estimate-memory.js";
import { ensureHeapFor } from "../heap.js";
import { inputLimits, scaleFlag, withInputOptions, type InputArgs } from "../input-options.js";
import { parseTraceWindow, type TraceWindow } from "../../core/trace.js";

interface RunArgs extends InputArgs {
  scenario: string;
  seed?: number;
  out: string;
  json: boolean;
  scale?: number;
  trace?: string;
  traceWindow?: string;
}

/**
 * `simctl run SCENARIO`: validates, simulates, writes results/runs/<name>-<seed>/ and prints
 * the summary. Exit code 0 when the stop condition was met, 3 when the time limit came first.
 */
export const runCommand: CommandModule<object, RunArgs> = {
  command: "run <scenario>",
  describe: "Simulate a scenario and write its results",
  builder: (y) =>
    withInputOptions(y)
      .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file" })
      .option("seed", { type: "number", describe: "override the scenario's seed" })
      .option("out", { type: "string", default: "results/runs", describe: "directory for run outputs" })
      .option("json", { type: "boolean", default: false, describe: "print summary.json instead of the table" })
      .option("scale", {
        type: "number",
        describe: "multiply node pool counts and deployment replicas (e.g. 0.1 for a quick run)",
        coerce: scaleFlag,
      })
      .option("trace", { type: "string", describe: "write every engine event to this Arrow file (events.arrow)" })
      .option("trace-window", {
        type: "string",
        describe: "trace only events in FROM-TO of simulated time, e.g. 10s-20s",
      }),
  handler: async (args) => {
    const limits = inputLimits(args);
    if (isEtcdBenchmark(args.scenario, limits)) {
      const s = loadEtcdBenchmark(args.scenario, limits);
      const bench = args.seed === undefined ? s : { ...s, seed: args.seed };
      const { rows, outDir } = runEtcdBenchmarkScenario(bench, args.out);
      process.stdout.write(
        args.json ? `${JSON.stringify({ results: rows }, null, 2)}\n` : `${formatEtcdBenchmark(bench, rows, outDir)}\n`,
      );
      return;
    }
    const seed = args.seed === undefined ? {} : { seed: args.seed };
    let window: TraceWindow | undefined;
    if (args.traceWindow !== undefined) {
      const w = args.trace === undefined ? "needs --trace FILE as well" : parseTraceWindow(args.traceWindow);
      if (typeof w === "string") {
        process.stderr.write(`simctl: --trace-window: ${w}\n`);
        process.exitCode = 2;
        return;
      }
      window = w;
    }
    const scenario =
      args.scale === undefined
        ? loadScenario(args.scenario, { ...seed, limits })
        : loadScaledScenario(args.scenario, args.scale, { ...seed, limits });
    if (await ensureHeapFor(estimateMemory(scenario).bytes, limits.maxMemoryBytes)) return;
    const bar = new ProgressBar();
    const { summary, stats, outDir } = runScenario(scenario, {
      outRoot: args.out,
      onProgress: (now, ev, done, total) => bar.update(now, ev, done, total),
      ...(args.trace === undefined ? {} : { trace: { file: args.trace, ...(window === undefined ? {} : { window }) } }),
    });
    bar.finish();
    process.stdout.write(
      args.json
        ? `${JSON.stringify({ results: summary, run: stats }, null, 2)}\n`
        : `${formatSummary(summary, stats, outDir, scenario.outputs)}\n`,
    );
    if (scenario.stop.when === "allRunning" && summary.timeToAllRunningNs === null) process.exitCode = 3;
  },
};
