import type { CommandModule } from "yargs";
import { checkFailIf, formatFailIf } from "../../gate/fail-if.js";
import { parseThresholds } from "../../gate/tolerance.js";
import type { SimulatedSummary } from "../../metrics/summary.js";
import { buildArms, formatCompare, runCompare } from "../../study/compare.js";
import { clusterOutcome } from "../../study/run-task.js";
import { StudyProgress } from "../../study/study-progress.js";
import { UserError, withUserErrors } from "../../study/user-error.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { confidenceOption, numberOption, scaleOption, SEED_RULE } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface CompareArgs {
  scenarios: string[];
  seeds: number;
  "first-seed": number;
  vary?: string;
  scale?: number;
  workers: number;
  confidence: number;
  out?: string;
  json: boolean;
  "fail-if": string[];
}

/**
 * `simctl compare A.yaml B.yaml [...]` (or `simctl compare A.yaml --vary PATH=V1,V2`): runs each
 * configuration on the same seeds and prints a side-by-side table with confidence intervals,
 * marking the significant differences. `--fail-if startupP99>+5%` (repeatable; the metrics of
 * `simctl gate`) exits 1 when a configuration's paired difference to the first lies wholly
 * beyond it; a malformed one is bad input (exit 2) found before anything runs.
 */
export const compareCommand: CommandModule<object, CompareArgs> = commandModule("compare", {
  builder: (y) =>
    y
      .positional("scenarios", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "scenario files (the first is the baseline)",
      })
      .option(
        "seeds",
        numberOption(
          "--seeds",
          "seeds per configuration (common random numbers; two or more, for intervals)",
          { integer: true, min: 2 },
          5,
        ),
      )
      .option("first-seed", numberOption("--first-seed", "the seeds are first-seed, first-seed+1, ...", SEED_RULE, 1))
      .option("vary", { type: "string", describe: "one scenario, several values of a key: PATH=V1,V2,..." })
      .option("scale", scaleOption("multiply cluster and workload size"))
      .option("workers", numberOption("--workers", "worker threads", { integer: true, min: 1 }, defaultWorkers()))
      .option("confidence", confidenceOption())
      .option("out", { type: "string", describe: "keep every run's outputs in this directory" })
      .option("json", { type: "boolean", default: false, describe: "print the comparison as JSON" })
      .option("fail-if", {
        type: "string",
        array: true,
        default: [],
        describe: "exit 1 when a difference to the baseline lies beyond this, e.g. startupP99>+5% (repeatable)",
      }),
  handler: (args) =>
    withUserErrors("compare", async () => {
      const failIf = parseThresholds(args["fail-if"], true);
      if ("error" in failIf) throw new UserError(`--fail-if: ${failIf.error}`, 2);
      const arms = buildArms(args.scenarios, { vary: args.vary, scale: args.scale });
      const seeds = Array.from({ length: args.seeds }, (_, i) => args["first-seed"] + i);
      const bar = new StudyProgress(arms.length * seeds.length);
      const summaries: SimulatedSummary[] = [];
      const r = await runCompare(arms, {
        seeds,
        confidence: args.confidence,
        workers: args.workers,
        outDir: args.out,
        onProgress: (i, d, t) => bar.progress(i, d, t),
        onDone: (o) => {
          summaries[o.index] = clusterOutcome(o).summary;
          bar.finished(o.index);
        },
      });
      bar.finish();
      const checks = checkFailIf(failIf, r.arms, seeds.length, summaries, r.confidence);
      if (args.json)
        process.stdout.write(`${JSON.stringify(checks.length === 0 ? r : { ...r, failIf: checks }, null, 2)}\n`);
      else
        process.stdout.write(`${formatCompare(r)}\n${checks.length === 0 ? "" : `${formatFailIf(checks, failIf)}\n`}`);
      if (checks.some((c) => c.failed)) process.exitCode = 1;
    }),
});
