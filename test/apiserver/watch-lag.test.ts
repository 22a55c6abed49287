import { describe, expect, test } from "vitest";
import { WATCH_DEFAULTS } from "../../src/scenario/sections/watch.js";
import { readBenchCsv } from "../bench-data.js";

/** bench/data/etcd-watch-lag/watch-lag.csv: a real etcd's watch event after the write's reply. */
const rows = readBenchCsv("bench/data/etcd-watch-lag/watch-lag.csv").map((r) => ({
  member: r.member!,
  rate: Number(r.rate_per_s),
  puts: Number(r.puts),
  events: Number(r.events),
  p50: Number(r.lag_p50_ms),
  p99: Number(r.lag_p99_ms),
}));

describe("the watch cache lag against a real etcd", () => {
  test("the data covers leader and follower at 50, 200 and 1,000 puts/s, every event delivered", () => {
    expect(rows.map((r) => `${r.member}/${r.rate}`).sort()).toEqual([
      "follower/1000",
      "follower/200",
      "follower/50",
      "leader/1000",
      "leader/200",
      "leader/50",
    ]);
    for (const r of rows) expect(r.events).toBe(r.puts);
  });

  test("the default lag's p99 covers every measured p99 without exceeding the largest by more than 25%", () => {
    const lag = WATCH_DEFAULTS.cacheLag;
    if (lag.kind !== "lognormal") throw new Error(`cacheLag default is ${lag.kind}, expected lognormal`);
    const worst = Math.max(...rows.map((r) => r.p99)) * 1e6;
    expect(lag.p99).toBeGreaterThanOrEqual(worst);
    expect(lag.p99).toBeLessThanOrEqual(1.25 * worst);
    // The p50 adds the API server's decode and hand-offs (assumed ~0.1 ms) to etcd's ~0.01 ms.
    const p50 = Math.max(...rows.map((r) => r.p50)) * 1e6;
    expect(lag.p50).toBeGreaterThan(p50);
    expect(lag.p50).toBeLessThanOrEqual(p50 + 0.1e6);
  });
});
