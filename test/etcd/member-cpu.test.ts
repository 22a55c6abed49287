import { describe, expect, it } from "vitest";
import { readEtcdFile } from "../../src/calibrate/etcd-file.js";
import { DEFAULT_ETCD_CONFIG } from "../../src/etcd/etcd-config.js";
import { defaultInputLimits } from "../../src/scenario/input-files.js";
import { readBenchCsv } from "../bench-data.js";

/**
 * bench/data/etcd-member-cpu: each member's CPU per put in a real 3-member etcd under the
 * benchmark load (bench/etcd-real/member-cpu.ts), against what the etcd model charges each
 * member with bench/data/etcd/fitted.yaml (fitted to the 1-member benchmark only) at the puts
 * per Ready the real members saw:
 * - a follower: entryCost + applyCost per put, and per Ready the MsgApp decode, the Ready and
 *   the MsgAppResp encode (2 peerMessageCost + readyCost);
 * - the leader: requestCost + entryCost + applyCost per put, and per Ready the Ready, a MsgApp
 *   encode and a MsgAppResp decode per follower (readyCost + 4 peerMessageCost);
 * - the load client: benchmarkClientCost per put.
 */
const rows = readBenchCsv("bench/data/etcd-member-cpu/member-cpu.csv").map((r) => ({
  clients: Number(r.clients),
  role: r.role!,
  cpuUs: Number(r.cpu_us_per_put),
  perReady: Number(r.puts_per_ready),
}));
const f = { ...DEFAULT_ETCD_CONFIG, ...readEtcdFile("bench/data/etcd/fitted.yaml", defaultInputLimits()).spec };
const us = (ns: number) => ns / 1000;
const follower = (n: number) => us(f.entryCpuNs + f.applyCpuNs + (2 * f.peerMessageCpuNs + f.readyCpuNs) / n);
const leader = (n: number) =>
  us(f.requestCpuNs + f.entryCpuNs + f.applyCpuNs + (f.readyCpuNs + 4 * f.peerMessageCpuNs) / n);
const err = (model: number, real: number) => model / real - 1;
const at = (clients: number, role: string) => rows.find((r) => r.clients === clients && r.role === role)!;

describe("the etcd model's CPU per put, member by member, against a real 3-member etcd", () => {
  it("covers 1 to 1,000 clients with the leader, two followers and the client", () => {
    expect(rows.length).toBe(24);
  });

  // Measured: -7% to +16%. The per-entry and per-Ready costs that fixed.yaml had to assume or tie
  // (entryCost, applyCost; peerMessageCost tied to requestCost) add up on a follower as measured.
  it("a follower's CPU per put within 20% at every client count", () => {
    for (const r of rows.filter((x) => x.role.startsWith("follower")))
      expect(Math.abs(err(follower(r.perReady), r.cpuUs)), `${r.role} at ${r.clients} clients`).toBeLessThan(0.2);
  });

  // Measured: the leader +26% to +70% from 4 clients on, the client 1/4 to 1/20 of its real cost:
  // one host runs both in the benchmark, so the 1-member fit sees only their sum, which it gets
  // within 17% from 4 clients on (at 1 client the real client's 309 us per put is far off).
  it("the leader's and the client's sum within 20% from 4 clients on, though the split is wrong", () => {
    for (const c of [4, 16, 64, 256, 1000]) {
      const l = at(c, "leader");
      const model = leader(l.perReady) + us(f.benchmarkClientCpuNs);
      const real = l.cpuUs + at(c, "client").cpuUs;
      expect(Math.abs(err(model, real)), `${c} clients`).toBeLessThan(0.2);
      expect(leader(l.perReady), `leader at ${c} clients`).toBeGreaterThan(1.2 * l.cpuUs);
      expect(us(f.benchmarkClientCpuNs), `client at ${c} clients`).toBeLessThan(0.3 * at(c, "client").cpuUs);
    }
  });
});
