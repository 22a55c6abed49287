import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandModule } from "yargs";
import { UserError, withUserErrors } from "../../study/user-error.js";
import { numberOption } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface BenchArgs {
  baseline?: string;
  "max-regression": string;
  json?: string;
  only?: string;
  rounds?: number;
  "round-ms"?: number;
  "e2e-samples"?: number;
  note?: string;
  "update-golden": boolean;
  build: boolean;
  cases: string[];
}

/**
 * `simctl bench [--baseline results/baseline.json] [--max-regression 10%] [--json out.json]`:
 * the speed gate, and `simctl bench --update-golden` regenerates the golden-results files.
 *
 * Runs from a source checkout: it compiles `bench/` (`tsc -p tsconfig.bench.json`, skipped
 * with `--no-build`) and runs `dist-bench/bench/run.js` in a child process with the same
 * options, so the figures come from a fresh process and the exit code is the gate's: 1 when a
 * case is a significant regression against the baseline (see bench/gate.ts), 2 on error.
 */
export const benchCommand: CommandModule<object, BenchArgs> = commandModule("bench", {
  builder: (y) =>
    y
      .positional("cases", {
        type: "string",
        array: true,
        default: [],
        describe: "with --update-golden: the golden cases to regenerate (default all)",
      })
      .option("baseline", { type: "string", describe: "baseline result to compare with, e.g. results/baseline.json" })
      .option("max-regression", {
        type: "string",
        default: "10%",
        describe: "slow-down allowed before a case fails (lower 95% bound of now/baseline)",
      })
      .option("json", { type: "string", describe: "write this run's result here (default results/runs/bench.json)" })
      .option("only", { type: "string", describe: "run only the cases whose name matches this regular expression" })
      .option(
        "rounds",
        numberOption("--rounds", "samples per micro-benchmark case (default 7)", { integer: true, min: 1 }),
      )
      .option(
        "round-ms",
        numberOption("--round-ms", "measuring time per case per round, ms (default 400)", {
          min: 0,
          minExclusive: true,
        }),
      )
      .option(
        "e2e-samples",
        numberOption("--e2e-samples", "runs per end-to-end case (default 5 for 10k-pods, 3 for density)", {
          integer: true,
          min: 1,
        }),
      )
      .option("note", { type: "string", describe: "a note stored with the machine description" })
      .option("update-golden", {
        type: "boolean",
        default: false,
        describe: "regenerate results/golden/*.json from the current models and exit",
      })
      .option("build", { type: "boolean", default: true, describe: "compile bench/ first (--no-build to skip)" }),
  handler: (args) =>
    withUserErrors("bench", () => {
      if (args.cases.length > 0 && !args["update-golden"])
        throw new UserError(
          `case names (${args.cases.join(", ")}) go with --update-golden; to run some benchmarks use --only REGEX`,
        );
      const root = repoRoot();
      if (args.build) {
        const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
        const b = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.bench.json")], {
          cwd: root,
          stdio: "inherit",
        });
        if (b.status !== 0)
          throw new UserError(`compiling bench/ failed (tsc -p tsconfig.bench.json exited ${b.status})`);
      }
      const runner = join(root, "dist-bench", "bench", "run.js");
      if (!existsSync(runner)) throw new UserError(`${runner} is missing: run without --no-build`);
      const forward: string[] = [];
      const opt = (flag: string, v: string | number | undefined): void => {
        if (v !== undefined) forward.push(`--${flag}`, String(v));
      };
      opt("baseline", args.baseline === undefined ? undefined : resolve(args.baseline));
      opt("max-regression", args["max-regression"]);
      opt("json", args.json === undefined ? undefined : resolve(args.json));
      opt("only", args.only);
      opt("rounds", args.rounds);
      opt("round-ms", args["round-ms"]);
      opt("e2e-samples", args["e2e-samples"]);
      opt("note", args.note);
      if (args["update-golden"]) forward.push("--update-golden", ...args.cases);
      const r = spawnSync(process.execPath, [runner, ...forward], { cwd: root, stdio: "inherit" });
      process.exitCode = r.status ?? 2;
    }),
});

/** The source checkout this command belongs to (it holds bench/ and tsconfig.bench.json). */
function repoRoot(): string {
  // This file is dist/cli/commands/bench.js (or dist-bench/src/cli/commands/bench.js).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "tsconfig.bench.json")) && existsSync(join(dir, "bench", "run.ts"))) return dir;
    dir = resolve(dir, "..");
  }
  throw new UserError("simctl bench runs from a source checkout of simctl (it needs bench/ and tsconfig.bench.json)");
}
