import { expect, test } from "vitest";
import { loadEtcdBenchmark } from "../../src/scenario/etcd-benchmark-scenario.js";
import { runEtcdBenchmarkScenario } from "../../src/sim/run-etcd-benchmark.js";

test("scenarios/etcd-benchmark.yaml predicts etcd's published put benchmark within 15% from the guide's hardware", () => {
  const s = loadEtcdBenchmark("scenarios/etcd-benchmark.yaml");
  const { rows } = runEtcdBenchmarkScenario(s, null);
  const [one, many] = rows;
  // etcd op-guide/performance.md: 1 client 583 writes/s at 1.6 ms; 1,000 clients 44-50k
  // writes/s at 20-22 ms (midpoints 47k and 21 ms).
  expect(one!.clients).toBe(1);
  expect(Math.abs(one!.writesPerSec / 583 - 1)).toBeLessThan(0.15);
  expect(Math.abs(one!.meanLatencyMs / 1.6 - 1)).toBeLessThan(0.15);
  expect(many!.clients).toBe(1000);
  expect(Math.abs(many!.writesPerSec / 47_000 - 1)).toBeLessThan(0.15);
  expect(Math.abs(many!.meanLatencyMs / 21 - 1)).toBeLessThan(0.15);
  // Group commit: with 1,000 clients many writes share each WAL fsync; with one, none do.
  expect(one!.total / one!.batches).toBeCloseTo(1, 1);
  expect(many!.total / many!.batches).toBeGreaterThan(20);
}, 60_000);
