import { join } from "node:path";
import type { CommandModule } from "yargs";
import { mergeStudy } from "../../study/merge.js";
import { withUserErrors } from "../../study/user-error.js";
import { commandModule } from "../command-index.js";

interface MergeArgs {
  dirs: string[];
  out?: string;
  partial: boolean;
}

/**
 * `simctl merge DIR...`: combines the outputs of a study's shards (or one unsharded sweep) into
 * one Arrow dataset: runs.arrow (a row per run, parameters as columns) and every run table
 * concatenated with run and parameter columns.
 */
export const mergeCommand: CommandModule<object, MergeArgs> = commandModule("merge", {
  builder: (y) =>
    y
      .positional("dirs", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "study output directories (one per shard, or one shared)",
      })
      .option("out", { type: "string", describe: "output directory (default: <first dir>/merged)" })
      .option("partial", { type: "boolean", default: false, describe: "merge even when some runs are missing" }),
  handler: (args) =>
    withUserErrors("merge", () => {
      const outDir = args.out ?? join(args.dirs[0]!, "merged");
      const r = mergeStudy(args.dirs, outDir, { partial: args.partial });
      process.stdout.write(`merged ${r.runs} runs into ${r.outDir}/\n`);
      for (const t of r.tables) process.stdout.write(`  ${t.path}  ${t.rows} rows\n`);
    }),
});
