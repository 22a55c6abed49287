import { basename } from "node:path";
import yargs, { type CommandModule } from "yargs";
import { installInterruptHandlers } from "../metrics/result-dir.js";
import { ScenarioError } from "../scenario/scenario-error.js";
import { UserError as InputError } from "../study/user-error.js";
import { VERSION } from "../version.js";
import { COMMANDS } from "./command-index.js";

type CommandName = keyof typeof COMMANDS;

/**
 * The command modules `argv` needs: the named command's (only its module is imported). When none
 * is named (`simctl --help`, a bare `simctl`, a word that is no command), a stand-in per command
 * with its usage and description from the index, which is all yargs needs to list them or to
 * refuse the word, so nothing else is loaded.
 */
export async function loadCommands(argv: readonly string[]): Promise<CommandModule[]> {
  const name = argv.find((a) => !a.startsWith("-"));
  if (name !== undefined && Object.hasOwn(COMMANDS, name)) return [await COMMANDS[name as CommandName].load()];
  return Object.values(COMMANDS).map((c) => ({ command: c.usage, describe: c.describe, handler: () => {} }));
}

/** Runs the simctl command line with `argv` (without node and script). */
export async function main(argv: string[]): Promise<void> {
  const commands = await loadCommands(argv);
  installInterruptHandlers();
  dropOutputToClosedPipes();
  const bin = invokedAs();
  try {
    await yargs(argv)
      .scriptName(bin)
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
      process.stderr.write(`${formatScenarioError(e)}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof InputError) {
      process.stderr.write(`simctl: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    // A flag that fails its yargs coerce check arrives as yargs' own YError: a usage error too.
    if (e instanceof UsageError || (e instanceof Error && e.name === "YError")) {
      process.stderr.write(`simctl: ${e.message}\nsee: ${bin} --help\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

/** What `simctl` prints on stderr for a rejected scenario (exit code 2): a count, then one located line per problem. */
export function formatScenarioError(e: ScenarioError): string {
  return `simctl: invalid ${e.what} (${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}):\n${e.message}`;
}

class UsageError extends Error {}

/** The command name help shows: `simctl-k8s` when run by that bin (npx simctl-k8s), else `simctl`. */
function invokedAs(): string {
  return basename(process.argv[1] ?? "") === "simctl-k8s" ? "simctl-k8s" : "simctl";
}

/**
 * A reader that stops reading (`simctl run ... | head -1`) is no error of simctl: the rest of
 * its output is dropped and the command finishes as it would have, with its own exit code,
 * instead of dying on an unhandled EPIPE with a stack trace. Any other failure to write is
 * reported in one line (exit 2).
 */
function dropOutputToClosedPipes(): void {
  for (const [name, stream] of [
    ["stdout", process.stdout],
    ["stderr", process.stderr],
  ] as const) {
    if (stream.listenerCount("error") > 0) continue;
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") return;
      process.exitCode = 2;
      if (name === "stdout") process.stderr.write(`simctl: cannot write to stdout: ${e.message}\n`);
    });
  }
}
