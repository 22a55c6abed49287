import { cpus } from "node:os";
import { EVENTS_PER_ITERATION, engineBench } from "./engine.bench.js";

/**
 * Runs the tinybench suites and prints one line per case. Figures depend on the machine: the
 * header names it. Run with `npm run bench`.
 */
async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  process.stdout.write(`node ${process.version}, ${cpus().length} x ${cpu}\n`);
  const bench = engineBench();
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result;
    if (r === undefined || !("latency" in r)) continue;
    const meanMs = r.latency.mean;
    const eventsPerSec = (EVENTS_PER_ITERATION / meanMs) * 1000;
    process.stdout.write(`${t.name.padEnd(60)} ${(eventsPerSec / 1e6).toFixed(2)} M events/s  (±${r.latency.rme.toFixed(1)}%, ${r.latency.samplesCount} samples)\n`);
  }
}

await main();
