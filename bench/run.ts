import { cpus } from "node:os";
import { EVENTS_PER_ITERATION, engineBench } from "./engine.bench.js";
import { WATCH_EVENTS, watchBench } from "./watch.bench.js";
import { BENCH_NODES, BENCH_PODS, schedulerBench, schedulerThroughputBench } from "./scheduler.bench.js";
import type { Bench } from "tinybench";

/**
 * Runs the tinybench suites and prints one line per case. Figures depend on the machine: the
 * header names it. Run with `npm run bench`.
 */
async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  process.stdout.write(`node ${process.version}, ${cpus().length} x ${cpu}\n`);
  await report(engineBench(), (meanMs) => `${((EVENTS_PER_ITERATION / meanMs) * 1e-3).toFixed(2)} M events/s`);
  await report(watchBench(), (meanMs) => `${((meanMs * 1e6) / WATCH_EVENTS).toFixed(0)} ns per pod event`);
  await report(schedulerBench(), (meanMs) => `${((meanMs * 1e6) / BENCH_NODES).toFixed(1)} ns per node`);
  await report(schedulerThroughputBench(), (meanMs) => `${((BENCH_PODS / meanMs) * 1000).toFixed(0)} pods/s`);
}

/** Runs one suite and prints a line per case: the figure `format` derives from the mean latency. */
async function report(bench: Bench, format: (meanMs: number) => string): Promise<void> {
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result;
    if (r === undefined || !("latency" in r)) continue;
    process.stdout.write(`${t.name.padEnd(72)} ${format(r.latency.mean).padStart(22)}  (±${r.latency.rme.toFixed(1)}%, ${r.latency.samplesCount} samples)\n`);
  }
}

await main();
