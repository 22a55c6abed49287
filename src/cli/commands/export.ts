import type { CommandModule } from "yargs";
import { existsSync, readdirSync, statSync } from "node:fs";
import { UserError, withUserErrors } from "../../study/user-error.js";
import { exportParquet, PARQUET_CODECS, type ParquetCodec } from "../../metrics/parquet-export.js";
import { commandModule } from "../command-index.js";

interface ExportArgs {
  run: string;
  format: string;
  out?: string;
  compression: ParquetCodec;
}

/**
 * `simctl export RUN --format parquet`: writes `<table>.parquet` for every `<table>.arrow` of a
 * run directory (or a merged study directory), same schema, each file written atomically.
 */
export const exportCommand: CommandModule<object, ExportArgs> = commandModule("export", {
  builder: (y) =>
    y
      .positional("run", {
        type: "string",
        demandOption: true,
        describe: "run directory (results/runs/<name>-<seed>) or merged study directory",
      })
      .option("format", { type: "string", choices: ["parquet"], default: "parquet", describe: "output format" })
      .option("out", { type: "string", describe: "write into this directory instead of the run directory" })
      .option("compression", {
        type: "string",
        choices: PARQUET_CODECS,
        default: "zstd" as ParquetCodec,
        describe: "Parquet compression codec",
      }),
  handler: (args) =>
    withUserErrors("export", () => {
      if (!existsSync(args.run) || !statSync(args.run).isDirectory())
        throw new UserError(`${args.run} is not a directory`);
      if (!readdirSync(args.run).some((f) => f.endsWith(".arrow")))
        throw new UserError(
          `${args.run} holds no .arrow tables (expected a run directory such as results/runs/10k-pods-42)`,
        );
      const done = exportParquet(args.run, { outDir: args.out, codec: args.compression });
      for (const t of done)
        process.stdout.write(`${t.parquetPath}  ${t.rows} rows  ${(t.bytes / 1024).toFixed(1)} KiB\n`);
    }),
});
