import { spawn } from "node:child_process";
import { constants } from "node:os";
import { getHeapStatistics } from "node:v8";

/** Set in the environment of a re-executed simctl, so it never re-executes again. */
const REEXEC_ENV = "SIMCTL_HEAP_SIZED";

/**
 * Makes sure the V8 heap can hold a run estimated at `estimatedBytes` (estimate-memory.ts), so
 * that a run that fits `--max-memory` never ends in a V8 heap abort.
 *
 * Why a re-exec: V8 fixes its old-space limit when the process starts (`--max-old-space-size`;
 * setting the flag later does not move it), and the default (about 4 GiB on Node 20 with enough
 * memory) is below what a 150,000-pod run may need on a big machine. Most bytes of a run are
 * typed arrays outside the heap (measured: 4,000 nodes for 4 h, 642 MiB peak RSS, ran with
 * --max-old-space-size=200; 200 nodes and 24,000 pods, 179 MiB RSS, ran with 64), but the
 * estimate is taken whole, as a wide margin. So when the
 * estimate passes half the current limit, simctl runs itself again, with the same arguments and
 * `--max-old-space-size` at twice the estimate (at most `maxBytes`), forwards SIGINT and SIGTERM
 * to the child, and exits with its code. Returns a promise of true when it did (the caller then
 * stops), false when the heap is already big enough.
 */
export function ensureHeapFor(estimatedBytes: number, maxBytes: number): Promise<boolean> {
  const limit = getHeapStatistics().heap_size_limit;
  if (estimatedBytes <= limit / 2 || process.env[REEXEC_ENV] === "1") return Promise.resolve(false);
  const mb = Math.ceil(Math.min(Math.max(estimatedBytes * 2, limit), Math.max(maxBytes, limit)) / 2 ** 20);
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${mb}`, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, [REEXEC_ENV]: "1" },
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      process.exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
      resolve(true);
    });
  });
}
