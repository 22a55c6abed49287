import { expect, test } from "vitest";
import { loadEtcdBenchmark, parseEtcdBenchmark } from "../../src/scenario/etcd-benchmark-scenario.js";
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

test("an etcd benchmark's key and value sizes are whole bytes within etcd's request limit, each error at its line", () => {
  const text = (key: string, value: string) =>
    `name: b\netcd: {}\nbenchmark:\n  - { clients: 1, total: 10, keySize: ${key}, valueSize: ${value} }\n`;
  const issues = (key: string, value: string): string => {
    try {
      parseEtcdBenchmark("b.yaml", text(key, value));
      return "";
    } catch (e) {
      return String(e);
    }
  };
  expect(issues("8", "1Ki")).toBe("");
  // 1.5 MiB - 20 bytes of protobuf framing (PUT_OVERHEAD_BYTES) is the largest key + value.
  expect(issues("8", String(1.5 * 1024 * 1024 - 28))).toBe("");
  expect(issues("8", String(1.5 * 1024 * 1024 - 27))).toMatch(
    /b\.yaml:4:\d+: benchmark\[0\]\.valueSize: expected a put of at most 1572844 bytes with its key/,
  );
  expect(issues("1e15", "256")).toMatch(/benchmark\[0\]\.keySize: expected a put of at most/);
  expect(issues("8", "2.5")).toMatch(/benchmark\[0\]\.valueSize: expected a whole number of bytes .* found 2\.5/);
  expect(issues("0.5Ki", "256")).toBe("");
});
