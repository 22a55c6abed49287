import { join } from "node:path";
import type { Scenario } from "../scenario/types.js";
import { arrowLayout, maxReadableTableBytes, writeArrowColumns } from "../metrics/arrow-ipc.js";
import type { Column } from "../metrics/arrow-writer.js";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import { apiColumns } from "../metrics/api-arrow.js";
import { etcdColumns } from "../metrics/etcd-arrow.js";
import { timeSeriesColumns } from "../metrics/time-series.js";
import { nodeColumns, registryColumns } from "../metrics/nodes-arrow.js";
import type { OutputTable } from "../scenario/types.js";
import { podColumns } from "../metrics/pods-arrow.js";
import { eventColumns } from "../metrics/events-arrow.js";
import type { TraceWindow } from "../core/trace.js";
import { writeResultDir } from "../metrics/result-dir.js";
import { InputReport } from "../scenario/inputs/input-report.js";
import { summarize, type RunStats, type SimulatedSummary } from "../metrics/summary.js";
import { VERSION } from "../version.js";
import { scenarioHash, scenarioJson } from "./scenario-hash.js";
import { Simulation } from "./simulation.js";

export interface RunScenarioOptions {
  /** Directory that receives `<name>-<seed>/`; default `results/runs`. */
  outRoot?: string;
  /** Progress callback, about every 32k events. */
  onProgress?: (nowNs: number, events: number, running: number, expected: number) => void;
  /** Skip writing files (tests that only need the summary). */
  write?: boolean;
  /** Write an event trace (events.arrow) to `file`, of the events in `window` (default: all). */
  trace?: { file: string; window?: TraceWindow };
}

export interface RunScenarioResult {
  simulation: Simulation;
  summary: SimulatedSummary;
  stats: RunStats;
  /** Where the outputs were written (undefined with write: false). */
  outDir: string | undefined;
}

/**
 * Runs a scenario and writes its outputs: the Arrow tables the scenario lists (`pods.arrow`,
 * `api.arrow`, `etcd.arrow`), `summary.json` and the resolved `scenario.json`, atomically (see
 * {@link writeResultDir}): an interrupted run never leaves half-written results.
 */
export function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): RunScenarioResult {
  const started = performance.now();
  const trace = options.trace;
  const sim = new Simulation(
    scenario,
    trace === undefined ? {} : { trace: trace.window ?? { fromNs: 0, toNs: Number.POSITIVE_INFINITY } },
  );
  const progress = options.onProgress;
  const result = sim.run({
    onProgress: progress === undefined ? undefined : (now, ev, running) => progress(now, ev, running, sim.expectedPods),
  });
  const wallMs = performance.now() - started;
  const summary = summarize(sim, result);
  const stats: RunStats = {
    wallMs: Math.round(wallMs),
    events: sim.engine.events,
    eventsPerSec: Math.round(sim.engine.events / (wallMs / 1000)),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  let outDir: string | undefined;
  if (options.write !== false) {
    outDir = join(options.outRoot ?? join("results", "runs"), `${scenario.name}-${scenario.seed}`);
    writeResultDir(outDir, (tmp) => writeRunFiles(sim, summary, stats, tmp));
  }
  if (trace !== undefined && sim.trace !== undefined) {
    const { columns, rows } = eventColumns(sim.trace, sim.engine.kinds);
    writeArrowColumns(trace.file, columns, rows, runMetadata(sim));
  }
  return { simulation: sim, summary, stats, outDir };
}

/** The schema metadata of every Arrow file a run writes. */
function runMetadata(sim: Simulation): Record<string, string> {
  return {
    "simctl.version": VERSION,
    "simctl.scenario": sim.scenario.name,
    "simctl.scenario_hash": scenarioHash(sim.scenario),
    "simctl.seed": String(sim.scenario.seed),
  };
}

/**
 * Writes a finished run's files (the scenario's Arrow tables, `summary.json`, `scenario.json`,
 * `inputs.json`: what the inputs held that the run does not simulate as written)
 * into the existing directory `tmp`; callers make the directory appear atomically. A table too
 * big for the readers to load back (see {@link maxReadableTableBytes}; nodes.arrow of a
 * 1M-pod run reaches 3 GB) is not written: a warning on stderr names it and what to change.
 */
export function writeRunFiles(sim: Simulation, summary: SimulatedSummary, stats: RunStats, tmp: string): void {
  const meta = runMetadata(sim);
  const tables: Record<OutputTable, (s: Simulation) => { columns: Column[]; rows: number }> = {
    pods: podColumns,
    api: apiColumns,
    etcd: etcdColumns,
    timeseries: (s) => timeSeriesColumns(s.timeSeries),
    scheduler: (s) => s.scheduler.attemptColumns(),
    nodes: nodeColumns,
    registry: registryColumns,
  };
  for (const name of sim.scenario.outputs) {
    const { columns, rows } = tables[name](sim);
    const layout = arrowLayout(columns, rows);
    const bytes = layout.bytes;
    if (bytes > maxReadableTableBytes()) {
      process.stderr.write(
        `simctl: warning: ${name}.arrow not written: its ${rows} rows take ${sizeText(bytes)}, over the ${sizeText(maxReadableTableBytes())} that merge, export and report can read back (they load an Arrow file whole); leave ${name} out of the scenario's outputs: to skip it\n`,
      );
      continue;
    }
    writeArrowColumns(join(tmp, `${name}.arrow`), columns, rows, meta, layout);
  }
  const ca = sim.clusterAutoscaler;
  if (ca !== undefined) {
    const { columns, rows } = ca.decisions.columns(
      ca.groups.groups.map((g) => g.name),
      sim.nodes.names,
    );
    writeArrowColumns(join(tmp, "autoscaler.arrow"), columns, rows, meta);
  }
  writeFileAtomic(
    join(tmp, "summary.json"),
    `${JSON.stringify({ simctlVersion: VERSION, scenarioHash: meta["simctl.scenario_hash"], results: summary, run: stats }, null, 2)}\n`,
  );
  writeFileAtomic(join(tmp, "scenario.json"), `${scenarioJson(sim.scenario)}\n`);
  writeFileAtomic(join(tmp, "inputs.json"), `${JSON.stringify(sim.scenario.inputs ?? emptyInputReport(), null, 2)}\n`);
}

function emptyInputReport() {
  return new InputReport().toJSON();
}

function sizeText(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : `${bytes} bytes`;
}
