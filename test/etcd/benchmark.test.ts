import { describe, expect, it } from "vitest";
import { runEtcdBenchmark } from "../../src/etcd/benchmark.js";
import { DEFAULT_ETCD_CONFIG } from "../../src/etcd/etcd-config.js";

// etcd Documentation/op-guide/performance.md (CALIBRATION.md, etcd rows): 3 members on SSD,
// `benchmark put --key-size=8 --val-size=256`.
const ONE_CLIENT = { writesPerSec: 583, meanLatencyMs: 1.6 };
// 1,000 clients: 44,341 writes/s at 22 ms (leader only) and 50,104 at 20 ms (all members).
const THOUSAND = { writesPerSec: (44_341 + 50_104) / 2, meanLatencyMs: 21 };
const within = (x: number, target: number, tol: number) => Math.abs(x / target - 1) <= tol;

describe("etcd's published benchmark, predicted from the guide's hardware (DEFAULT_ETCD_CONFIG)", () => {
  it("uses the guide's 3-member cluster", () => {
    expect(DEFAULT_ETCD_CONFIG.members).toBe(3);
  });

  it("1 client: 583 writes/s at 1.6 ms, within 15%", () => {
    const r = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, { clients: 1, totalWrites: 10_000, valueBytes: 256, seed: 1 });
    expect(within(r.writesPerSec, ONE_CLIENT.writesPerSec, 0.15)).toBe(true);
    expect(within(r.meanLatencyMs, ONE_CLIENT.meanLatencyMs, 0.15)).toBe(true);
    // No concurrency, no grouping: one WAL batch per write.
    expect(r.batches).toBe(10_000);
  });

  it("1,000 clients: 44-50k writes/s at 20-22 ms, within 15%", () => {
    const r = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, { clients: 1000, writesPerClient: 50, valueBytes: 256, seed: 1 });
    expect(within(r.writesPerSec, THOUSAND.writesPerSec, 0.15)).toBe(true);
    expect(within(r.meanLatencyMs, THOUSAND.meanLatencyMs, 0.15)).toBe(true);
    // Group commit at work: tens of entries share each fsync.
    expect(r.writes / r.batches).toBeGreaterThan(20);
    // Closed loop: Little's law ties the two figures (clients = throughput x latency).
    expect(within(r.writesPerSec * r.meanLatencyMs * 1e-3, 1000, 0.02)).toBe(true);
  });

  it("at 1,000 clients the leader's WAL write binds, not the serial apply loop", () => {
    // Hundreds of puts per fsync: a batch's bytes at the pd-ssd's 24 MB/s take longer than the
    // fsync's fixed latency, and the leader's raft loop waits for them before its next Ready.
    const opts = { clients: 1000, writesPerClient: 20, valueBytes: 256, seed: 2 };
    const base = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, opts).writesPerSec;
    const at = (over: Partial<typeof DEFAULT_ETCD_CONFIG>) =>
      runEtcdBenchmark({ ...DEFAULT_ETCD_CONFIG, ...over }, opts).writesPerSec / base;
    expect(at({ walWriteBandwidth: 2 * DEFAULT_ETCD_CONFIG.walWriteBandwidth })).toBeGreaterThan(1.2);
    expect(Math.abs(at({ applyCpuNs: DEFAULT_ETCD_CONFIG.applyCpuNs / 2 }) - 1)).toBeLessThan(0.02);
  });

  it("totalWrites are shared among clients like the etcd tool's --total", () => {
    const r = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, { clients: 7, totalWrites: 100, valueBytes: 256, seed: 3 });
    expect(r.writes).toBe(100);
    expect(r.cluster.revision).toBe(101);
  });
});
