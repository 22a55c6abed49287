/**
 * A problem the user can fix (a missing run, a wrong flag, a directory that is not a study):
 * the CLI prints its message without a stack trace and exits with code 1.
 */
export class UserError extends Error {
  override readonly name = "UserError";
}

/**
 * Runs a command body; a {@link UserError} is printed as `simctl <command>: message` with exit
 * code 1. Every other error propagates (scenario errors are printed by the CLI's main).
 */
export async function withUserErrors(command: string, body: () => void | Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    process.stderr.write(`simctl ${command}: ${e.message}\n`);
    process.exitCode = 1;
  }
}
