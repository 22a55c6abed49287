import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** An end-to-end case: `simctl run <file>` (or another command) in a fresh process, several times. */
export interface E2ECase {
  name: string;
  /**
   * What the process runs: a scenario file relative to the repository root (its seed is fixed
   * in the file), given to `command`; `{ args }`, simctl with exactly these arguments; or
   * "bare", `node -e 0` (the in-run baseline of a process that does nothing).
   */
  file: string | { args: readonly string[] } | "bare";
  scale?: number;
  /** The simctl command and its arguments after the file; default `run` with nothing after. */
  command?: readonly [string, ...string[]];
  /** Runs (samples) by default. */
  samples: number;
}

/** Name of the bare-process baseline case. */
export const BARE_NODE_CASE = "e2e node -e 0";
/** Name of the `simctl --help` case. */
export const HELP_CASE = "e2e simctl --help";

/**
 * The end-to-end cases: `node -e 0` and `simctl --help` (the start-up floor and simctl's own
 * start-up), the 10k-pods scenario, the 5,000-node density scenario, and the capacity search
 * of issue 14's bar (under 60 s on 2 cores: 4 candidates x 3 seeds x 2).
 */
export const E2E_CASES: readonly E2ECase[] = [
  { name: BARE_NODE_CASE, file: "bare", samples: 5 },
  { name: HELP_CASE, file: { args: ["--help"] }, samples: 5 },
  { name: "e2e 10k-pods", file: "scenarios/10k-pods.yaml", samples: 5 },
  { name: "e2e density-5k-nodes", file: "scenarios/density-5k-nodes.yaml", samples: 3 },
  {
    name: "e2e capacity-search --zone-loss 1",
    file: "scenarios/capacity-search.yaml",
    command: ["capacity", "--pool", "workers", "--slo", "allRunning <= 30m", "--zone-loss", "1"],
    samples: 1,
  },
];

/** One end-to-end run as measured from outside the simulation. */
export interface E2ESample {
  /** Process wall time, start-up and output writing included. */
  wallMs: number;
  maxRssKiB: number;
  /** Simulated events (from the run's --json output; 0 for a command that does not print them). */
  events: number;
}

/**
 * Runs a case once in a child process (`node --import e2e-exit-report.js bin/simctl.js run FILE
 * --out TMP`, or `node --import e2e-exit-report.js -e 0`) and returns its wall time and peak RSS;
 * throws if the run fails. The command is the CLI users run: bin/simctl.js over the bundled
 * dist/ (`npm run build`), not the bench's own compile of src/.
 */
export function runE2E(repoRoot: string, c: E2ECase): E2ESample {
  const dir = mkdtempSync(join(tmpdir(), "simctl-e2e-bench-"));
  try {
    const report = join(dir, "report.json");
    const here = dirname(fileURLToPath(import.meta.url));
    const hook = ["--import", pathToFileURL(join(here, "e2e-exit-report.js")).href];
    const simctl = join(repoRoot, "bin", "simctl.js");
    const [command, ...rest] = c.command ?? ["run"];
    const args =
      c.file === "bare"
        ? [...hook, "-e", "0"]
        : typeof c.file === "object"
          ? [...hook, simctl, ...c.file.args]
          : [...hook, simctl, command, c.file, ...rest, "--out", join(dir, "runs"), "--json"];
    if (c.scale !== undefined) args.push("--scale", String(c.scale));
    const r = spawnSync(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, SIMCTL_BENCH_REPORT: report },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`${c.name}: the process exited ${r.status}\n${r.stderr}`);
    const m = JSON.parse(readFileSync(report, "utf8")) as { wallMs: number; maxRssKiB: number };
    const events = typeof c.file === "string" && c.file !== "bare" ? eventsOf(r.stdout) : 0;
    return { wallMs: m.wallMs, maxRssKiB: m.maxRssKiB, events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Simulated events from a command's --json output (0 for a command that does not print them). */
function eventsOf(stdout: string): number {
  const out = JSON.parse(stdout) as { run?: { events: number } };
  return out.run?.events ?? 0;
}
