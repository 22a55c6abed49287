import { join } from "node:path";
import { writeFileAtomic } from "../metrics/arrow-writer.js";
import { writeResultDir } from "../metrics/result-dir.js";
import type { RunStats, SimulatedSummary } from "../metrics/summary.js";
import { parseScenario } from "../scenario/load-scenario.js";
import type { InputLimits } from "../scenario/input-files.js";
import { runScenario, writeRunFiles } from "../sim/run-scenario.js";
import { placementMetrics, type PlacementMetrics } from "./placement.js";

/**
 * One simulation to run, as plain data so it can cross to a worker thread: the scenario text
 * (with study overrides and scale already applied) and the seed.
 */
export interface RunTask {
  /** Caller's id for the run (a study's run index, or a compare cell). */
  index: number;
  /** Scenario file path: names it in errors and anchors relative manifest paths. */
  file: string;
  text: string;
  seed: number;
  /** Limits the scenario was validated with (`--allow-path`...): its files are read again here. */
  limits?: InputLimits;
  /**
   * Final directory for the run's outputs (pods.arrow, summary.json, scenario.json, run.json);
   * undefined runs without writing anything.
   */
  outDir?: string;
  /** Extra fields written into `run.json` (study run index, hash, parameter values). */
  info?: Record<string, unknown>;
}

/** What a finished run reports back. */
export interface RunOutcome {
  index: number;
  summary: SimulatedSummary;
  placement: PlacementMetrics;
  stats: RunStats;
  outDir: string | undefined;
}

/** The contents of a study run's `run.json`: written last, so its presence marks a complete run. */
export interface RunRecord {
  placement: PlacementMetrics;
  [key: string]: unknown;
}

/**
 * Runs one task where it is called (a worker thread or the main thread). With `outDir`, the
 * outputs and `run.json` (the task's `info` plus placement metrics, written last) replace `outDir`
 * atomically (see {@link writeResultDir}).
 */
export function executeRunTask(task: RunTask, onProgress?: (done: number, total: number) => void): RunOutcome {
  const scenario = parseScenario(task.file, task.text, {
    seed: task.seed,
    ...(task.limits === undefined ? {} : { limits: task.limits }),
  });
  const progress =
    onProgress === undefined
      ? undefined
      : (_now: number, _ev: number, running: number, expected: number) => onProgress(running, expected);
  if (task.outDir === undefined) {
    const r = runScenario(scenario, { write: false, onProgress: progress });
    return {
      index: task.index,
      summary: r.summary,
      placement: placementMetrics(r.simulation.nodes),
      stats: r.stats,
      outDir: undefined,
    };
  }
  const r = runScenario(scenario, { write: false, onProgress: progress });
  const placement = placementMetrics(r.simulation.nodes);
  const record: RunRecord = { ...task.info, seed: task.seed, placement };
  writeResultDir(task.outDir, (tmp) => {
    writeRunFiles(r.simulation, r.summary, r.stats, tmp);
    writeFileAtomic(join(tmp, "run.json"), `${JSON.stringify(record, null, 2)}\n`);
  });
  return { index: task.index, summary: r.summary, placement, stats: r.stats, outDir: task.outDir };
}
