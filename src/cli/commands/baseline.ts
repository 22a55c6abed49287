import { dirname, resolve } from "node:path";
import type { CommandModule } from "yargs";
import { formatDuration } from "../../core/time.js";
import { checkOutputFile, writeOutputFile } from "../../gate/output-file.js";
import { baselineOf, casesFor, gateTasks, prepareCases } from "../../gate/baseline-file.js";
import { asStoredJson } from "../../gate/scenario-case.js";
import type { SimulatedSummary } from "../../metrics/summary.js";
import { clusterOutcome } from "../../study/run-task.js";
import { runTasksWithProgress } from "../../study/study-progress.js";
import { withUserErrors } from "../../study/user-error.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { numberOption, scaleOption, SEED_RULE } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface BaselineArgs {
  scenarios: string[];
  seeds: number;
  "first-seed": number;
  scale?: number;
  out: string;
  workers: number;
}

/**
 * `simctl baseline SCENARIO... --seeds K --out baseline.json`: runs each scenario on seeds
 * first-seed .. first-seed+K-1 and records every run's summary (summary.json's `results`), for
 * `simctl gate` to rerun and compare. Scenario paths are stored relative to the baseline file,
 * so the file can be committed beside them. Written atomically.
 */
export const baselineCommand: CommandModule<object, BaselineArgs> = commandModule("baseline", {
  builder: (y) =>
    y
      .positional("scenarios", { type: "string", array: true, demandOption: true, describe: "scenario files" })
      .option("seeds", numberOption("--seeds", "seeds per scenario (two or more)", { integer: true, min: 2 }, 5))
      .option("first-seed", numberOption("--first-seed", "the seeds are first-seed, first-seed+1, ...", SEED_RULE, 1))
      .option("scale", scaleOption("multiply cluster and workload size (recorded; gate reruns at the same scale)"))
      .option("out", { type: "string", default: "baseline.json", describe: "the baseline file to write" })
      .option("workers", numberOption("--workers", "worker threads", { integer: true, min: 1 }, defaultWorkers())),
  handler: (args) =>
    withUserErrors("baseline", async () => {
      const out = resolve(args.out);
      checkOutputFile("--out", out);
      const root = dirname(out);
      const prepared = prepareCases(casesFor(args.scenarios, root, args.scale), root);
      const seeds = Array.from({ length: args.seeds }, (_, i) => args["first-seed"] + i);
      const tasks = gateTasks(prepared, seeds);
      const outcomes = await runTasksWithProgress(tasks, args.workers);
      const summaries = outcomes.map((o) => asStoredJson(clusterOutcome(o).summary) as SimulatedSummary);
      writeOutputFile(out, `${JSON.stringify(baselineOf(prepared, seeds, summaries), null, 2)}\n`);
      const k = seeds.length;
      for (let c = 0; c < prepared.length; c++) {
        const runs = summaries.slice(c * k, (c + 1) * k);
        const p99 = runs.map((s) => (s.podStartup.p99Ns === null ? "-" : formatDuration(s.podStartup.p99Ns)));
        process.stdout.write(`${prepared[c]!.case.name}: ${k} seeds, pod startup p99 ${p99.join(", ")}\n`);
      }
      process.stdout.write(`wrote ${args.out}   next: simctl gate ${args.out}\n`);
    }),
});
