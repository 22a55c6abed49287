/**
 * A problem the user can fix (a missing run, a wrong flag, a directory that is not a study):
 * the CLI prints its message without a stack trace and exits with `exitCode` (default 1; 2 for
 * a bad input found before anything runs, like a scenario error).
 */
export class UserError extends Error {
  override readonly name = "UserError";
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Runs a command body; a {@link UserError} is printed as `simctl <command>: message` with its
 * exit code. Every other error propagates (scenario errors are printed by the CLI's main).
 */
export async function withUserErrors(command: string, body: () => void | Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    process.stderr.write(`simctl ${command}: ${e.message}\n`);
    process.exitCode = e.exitCode;
  }
}
