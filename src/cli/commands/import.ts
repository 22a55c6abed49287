import type { CommandModule } from "yargs";
import { writeFileAtomic } from "../../metrics/atomic-file.js";
import { importDump } from "../../scenario/import-dump.js";
import { formatInputReport } from "../../scenario/inputs/input-report.js";
import { inputLimits, withInputOptions, type InputArgs } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface ImportArgs extends InputArgs {
  dir: string;
  out: string;
}

/**
 * `simctl import DIR --out scenario.yaml`: writes the scenario of a directory of kubectl dumps
 * (see importDump), after validating it as `simctl run` will read it; prints what the run will
 * not simulate as written, and the command that runs it.
 */
export const importCommand: CommandModule<object, ImportArgs> = commandModule("import", {
  builder: (y) =>
    withInputOptions(y, "dir", "directory of kubectl dumps (nodes, deployments, ...)").option("out", {
      type: "string",
      demandOption: true,
      describe: "the scenario file to write",
    }),
  handler: (args) => {
    const r = importDump(args.dir, args.out, inputLimits(args));
    writeFileAtomic(args.out, r.text);
    if (r.scenario.inputs !== undefined) process.stderr.write(formatInputReport(r.scenario.inputs));
    const counts = [...r.kinds].map(([k, n]) => `${n} ${k}`).join(", ");
    const allow = r.needsAllowPath ? ` --allow-path ${args.dir}` : "";
    process.stdout.write(`simctl import: ${counts}\nwrote ${args.out}; run it with: simctl run ${args.out}${allow}\n`);
  },
});
