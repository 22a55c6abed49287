import type { CommandModule } from "yargs";
import { writeReport } from "../../report/build-report.js";
import { withUserErrors } from "../../study/user-error.js";
import { commandModule } from "../command-index.js";

interface ReportArgs {
  dir: string;
  out?: string;
}

/**
 * `simctl report RUN_OR_STUDY_DIR`: writes one self-contained HTML file (inline SVG charts, no
 * script, nothing fetched) for a run directory, a study directory or a merged study.
 */
export const reportCommand: CommandModule<object, ReportArgs> = commandModule("report", {
  builder: (y) =>
    y
      .positional("dir", {
        type: "string",
        demandOption: true,
        describe: "run directory, study directory or merged study directory",
      })
      .option("out", { type: "string", describe: "output file (default: <dir>/report.html)" }),
  handler: (args) =>
    withUserErrors("report", async () => {
      const r = await writeReport(args.dir, args.out);
      process.stdout.write(`${r.path}  (${r.kind} report: ${r.charts.length} charts: ${r.charts.join(", ")})\n`);
    }),
});
