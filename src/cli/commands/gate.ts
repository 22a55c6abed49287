import type { CommandModule } from "yargs";
import { checkOutputFile, writeOutputFile } from "../../gate/output-file.js";
import type { SimulatedSummary } from "../../metrics/summary.js";
import { gateTasks, prepareCases, readBaseline } from "../../gate/baseline-file.js";
import { gateResult } from "../../gate/gate.js";
import { formatGate, gateJunit, gateMarkdown } from "../../gate/gate-report.js";
import { asStoredJson } from "../../gate/scenario-case.js";
import { parseThresholds } from "../../gate/tolerance.js";
import { clusterOutcome } from "../../study/run-task.js";
import { runTasksWithProgress } from "../../study/study-progress.js";
import { UserError, withUserErrors } from "../../study/user-error.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { confidenceOption, numberOption } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface GateArgs {
  baseline: string;
  tolerance: string[];
  confidence: number;
  workers: number;
  junit?: string;
  markdown?: string;
  json: boolean;
}

/**
 * `simctl gate baseline.json [--tolerance startupP99=+10% ...] [--junit FILE] [--markdown FILE]`:
 * reruns every scenario of a baseline on its seeds, compares each metric (see
 * `GATE_METRICS`) with a paired t-interval, prints a table and exits 1 when a metric regressed
 * beyond its tolerance, 0 when none did, 2 on bad input (a baseline file that is not one, a
 * malformed tolerance or an unknown metric, a scenario that no longer reads).
 */
export const gateCommand: CommandModule<object, GateArgs> = commandModule("gate", {
  builder: (y) =>
    y
      .positional("baseline", { type: "string", demandOption: true, describe: "baseline file (simctl baseline --out)" })
      .option("tolerance", {
        type: "string",
        array: true,
        default: [],
        describe: "allowed worsening, METRIC=+10% or METRIC=+200ms, or 10% for every metric (repeatable; default 0)",
      })
      .option("confidence", confidenceOption())
      .option("workers", numberOption("--workers", "worker threads", { integer: true, min: 1 }, defaultWorkers()))
      .option("junit", { type: "string", describe: "also write JUnit XML here (one testcase per scenario x metric)" })
      .option("markdown", { type: "string", describe: "also write the table as Markdown here (a CI job summary)" })
      .option("json", { type: "boolean", default: false, describe: "print the comparison as JSON" }),
  handler: (args) =>
    withUserErrors("gate", async () => {
      const tolerances = parseThresholds(args.tolerance);
      if ("error" in tolerances) throw new UserError(`--tolerance: ${tolerances.error}`, 2);
      if (args.junit !== undefined) checkOutputFile("--junit", args.junit);
      if (args.markdown !== undefined) checkOutputFile("--markdown", args.markdown);
      const { baseline, root } = readBaseline(args.baseline);
      const prepared = prepareCases(baseline.cases, root, args.baseline);
      const tasks = gateTasks(prepared, baseline.seeds);
      const outcomes = await runTasksWithProgress(tasks, args.workers);
      // prepareCases admits cluster scenarios only.
      const runs = outcomes.map(clusterOutcome).map((o) => ({
        summary: asStoredJson(o.summary) as SimulatedSummary,
        wallMs: o.stats.wallMs,
      }));
      const g = gateResult(baseline, prepared, runs, tolerances, args.confidence);
      if (args.junit !== undefined) writeOutputFile(args.junit, gateJunit(g));
      if (args.markdown !== undefined) writeOutputFile(args.markdown, gateMarkdown(g));
      process.stdout.write(args.json ? `${JSON.stringify(g, null, 2)}\n` : `${formatGate(g)}\n`);
      if (g.regressions > 0) process.exitCode = 1;
    }),
});
