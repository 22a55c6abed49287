import yargs, { type CommandModule } from "yargs";
import { ScenarioError } from "../scenario/scenario-error.js";
import { VERSION } from "../version.js";
import { runCommand } from "./commands/run.js";
import { validateCommand } from "./commands/validate.js";
import { scheduleCommand } from "./commands/schedule.js";
import { exportCommand } from "./commands/export.js";
import { sweepCommand } from "./commands/sweep.js";
import { mergeCommand } from "./commands/merge.js";
import { compareCommand } from "./commands/compare.js";
import { reportCommand } from "./commands/report.js";

// Under ESM, commands are registered as an explicit list of modules.
const commands = [runCommand, validateCommand, scheduleCommand, exportCommand, sweepCommand, mergeCommand, compareCommand, reportCommand] as unknown as CommandModule[];

/** Runs the simctl command line with `argv` (without node and script). */
export async function main(argv: string[]): Promise<void> {
  try {
    await yargs(argv)
      .scriptName("simctl")
      .version(VERSION)
      .command(commands)
      .demandCommand(1, "name a command: simctl run SCENARIO")
      .strict()
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .help()
      .parseAsync();
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`simctl: invalid scenario (${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}):\n${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`simctl: ${e.message}\nsee: simctl --help\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

class UsageError extends Error {}
