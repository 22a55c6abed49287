import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** An end-to-end case: `simctl run <file>` in a fresh process, several times. */
export interface E2ECase {
  name: string;
  /** Scenario file relative to the repository root (its seed is fixed in the file). */
  file: string;
  scale?: number;
  /** Runs (samples) by default. */
  samples: number;
}

/** The end-to-end cases: the 10k-pods scenario and the 5,000-node density scenario. */
export const E2E_CASES: readonly E2ECase[] = [
  { name: "e2e 10k-pods", file: "scenarios/10k-pods.yaml", samples: 5 },
  { name: "e2e density-5k-nodes", file: "scenarios/density-5k-nodes.yaml", samples: 3 },
];

/** One end-to-end run as measured from outside the simulation. */
export interface E2ESample {
  /** Process wall time, start-up and output writing included. */
  wallMs: number;
  maxRssKiB: number;
  /** Simulated events (from the run's summary.json). */
  events: number;
}

/**
 * Runs a case once in a child process (`node dist-bench/bench/e2e-child.js run FILE --out TMP`)
 * and returns its wall time and peak RSS; throws if the run fails.
 */
export function runE2E(repoRoot: string, c: E2ECase): E2ESample {
  const dir = mkdtempSync(join(tmpdir(), "simctl-e2e-bench-"));
  try {
    const report = join(dir, "report.json");
    const child = join(dirname(fileURLToPath(import.meta.url)), "e2e-child.js");
    const args = [child, "run", c.file, "--out", join(dir, "runs"), "--json"];
    if (c.scale !== undefined) args.push("--scale", String(c.scale));
    const r = spawnSync(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, SIMCTL_BENCH_REPORT: report },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`${c.name}: simctl run exited ${r.status}\n${r.stderr}`);
    const m = JSON.parse(readFileSync(report, "utf8")) as { wallMs: number; maxRssKiB: number };
    const out = JSON.parse(r.stdout) as { run: { events: number } };
    return { wallMs: m.wallMs, maxRssKiB: m.maxRssKiB, events: out.run.events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
