import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import seedrandom from "seedrandom";
import {
  type Column,
  fixed,
  hostProbe,
  type HostProbe,
  leaderUrl,
  metrics,
  quantile,
  startCluster,
  stopCluster,
  waitHealthy,
  writeResults,
} from "./cluster.js";
import { EtcdPutClient } from "./grpc-put.js";

/**
 * Measures a real 3-member etcd (Debian's etcd-server) on a disk made slow on purpose: strace
 * delays the return of every fdatasync and fsync of every member by `delay` ms (strace(1)
 * `-e inject=SET:delay_exit=US`; `--seccomp-bpf` stops the members only at those calls). The
 * load is what a cluster's kubelets put on etcd through the API server with their node Leases:
 * an open loop of Poisson arrivals at `rate` puts per second (one renewal per node per 10 s, so
 * 50/s is 500 nodes), each a 300-byte value at one of `rate` x 10 keys. It asks what issue #12
 * item 3 asks of the model: does a 100x slower fsync turn into renewals late by tens of
 * seconds, through leader elections or failed proposals, or does group commit absorb it?
 * Development tool, not runtime code:
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/etcd-real/slow-disk.js --out bench/data/etcd-slow-disk
 *
 * Writes `slow-disk.csv` (one row per delay and rate) and `probe.json` (versions, machine).
 */

const BASE_PORT = 24790;
/** About a node Lease as the API server stores it (protobuf, managedFields included): assumed. */
const VALUE = Buffer.alloc(300, 0x61);
/** The kubelet renews its Lease every 10 s (nodeLeaseDurationSeconds 40 x 0.25). */
const RENEW_PERIOD_S = 10;
/** How long a put still outstanding at the end of a point is waited for. */
const DRAIN_S = 60;
/**
 * How long the members get to elect a leader and serve a quorum read. At 0-500 ms delays they
 * do in seconds; a cluster that has not done it in two minutes is recorded as unhealthy.
 */
const HEALTH_TIMEOUT_S = 120;

interface Row {
  /** "ok", or "unhealthy" where not every member answered /health within HEALTH_TIMEOUT_S of start. */
  status: string;
  delayMs: number;
  rate: number;
  sent: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  leaderFsyncsPerS: number;
  leaderFsyncMeanMs: number;
  backendCommitMeanMs: number;
  leaderChanges: number;
  heartbeatSendFailures: number;
  proposalsFailed: number;
  load1: number;
}

/** Counters read from every member; the leader's disk histograms are read from the first URL. */
const COUNTERS = [
  "etcd_server_leader_changes_seen_total",
  "etcd_server_heartbeat_send_failures_total",
  "etcd_server_proposals_failed_total",
] as const;
const DISK = [
  "etcd_disk_wal_fsync_duration_seconds_count",
  "etcd_disk_wal_fsync_duration_seconds_sum",
  "etcd_disk_backend_commit_duration_seconds_count",
  "etcd_disk_backend_commit_duration_seconds_sum",
] as const;

/** Per counter, the largest value any member reports (each member counts what it saw). */
async function clusterCounters(urls: readonly string[]): Promise<number[]> {
  const per = await Promise.all(urls.map((u) => metrics(u, COUNTERS)));
  return COUNTERS.map((_, i) => Math.max(...per.map((m) => (Number.isNaN(m[i]!) ? 0 : m[i]!))));
}

/** Open-loop Poisson puts at `rate`/s to `url` for `seconds`, after a 2 s warm-up. */
async function openLoop(urls: readonly string[], url: string, rate: number, seconds: number, seed: string) {
  const conns = Array.from({ length: 4 }, () => new EtcdPutClient(url));
  const rng = seedrandom(seed);
  const keys = rate * RENEW_PERIOD_S;
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  let failed = 0;
  let sent = 0;
  const warmS = 2;
  const t0 = performance.now();
  let beforeDisk: number[] = [];
  let beforeCounters: number[] = [];
  let next = 0;
  for (let i = 0; ; i++) {
    next += (-Math.log(1 - rng()) / rate) * 1000;
    if (next > (warmS + seconds) * 1000) break;
    const wait = t0 + next - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (beforeDisk.length === 0 && next >= warmS * 1000) {
      [beforeDisk, beforeCounters] = await Promise.all([metrics(url, DISK), clusterCounters(urls)]);
    }
    const measured = next >= warmS * 1000;
    const key = Buffer.from(`/registry/leases/kube-node-lease/node-${i % keys}`);
    const s = performance.now();
    if (measured) sent++;
    pending.push(
      conns[i % conns.length]!.put(key, VALUE).then(
        () => {
          if (measured) lat.push(performance.now() - s);
        },
        () => {
          if (measured) failed++;
        },
      ),
    );
  }
  const elapsedS = (performance.now() - t0) / 1000 - warmS;
  const drained = Promise.all(pending);
  await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_S * 1000).unref())]);
  const [afterDisk, afterCounters] = await Promise.all([metrics(url, DISK), clusterCounters(urls)]);
  for (const c of conns) c.close();
  const sorted = Float64Array.from(lat).sort();
  const d = (i: number) => afterDisk[i]! - beforeDisk[i]!;
  return {
    sent,
    ok: lat.length,
    failed,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    leaderFsyncsPerS: d(0) / elapsedS,
    leaderFsyncMeanMs: (d(1) * 1000) / d(0),
    backendCommitMeanMs: (d(3) * 1000) / d(2),
    leaderChanges: afterCounters[0]! - beforeCounters[0]!,
    heartbeatSendFailures: afterCounters[1]! - beforeCounters[1]!,
    proposalsFailed: afterCounters[2]! - beforeCounters[2]!,
  };
}

/** A point where no load ran: the cluster never served a quorum read. */
const UNHEALTHY = {
  status: "unhealthy",
  sent: 0,
  ok: 0,
  failed: 0,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  maxMs: Number.NaN,
  leaderFsyncsPerS: Number.NaN,
  leaderFsyncMeanMs: Number.NaN,
  backendCommitMeanMs: Number.NaN,
  load1: Number.NaN,
};

/**
 * strace as the members' wrapper: every fdatasync and fsync returns `delayMs` late. At 0 the
 * members still run under strace, so that every point pays the same tracing cost.
 */
function straceWrap(delayMs: number): string[] {
  const base = ["strace", "-f", "-qq", "--seccomp-bpf", "-o", "/dev/null", "-e", "trace=fdatasync,fsync"];
  return delayMs > 0 ? [...base, "-e", `inject=fdatasync,fsync:delay_exit=${delayMs * 1000}`] : base;
}

/** What was measured with what: the host (see hostProbe) and strace's version. */
interface Probe extends HostProbe {
  strace: string | undefined;
}

function probe(seconds: number): Probe {
  return { ...hostProbe(seconds), strace: spawnSync("strace", ["-V"], { encoding: "utf8" }).stdout.split("\n")[0] };
}

/** The columns of slow-disk.csv. */
const CSV: readonly Column<Row>[] = [
  ["status", (r) => r.status],
  ["delay_ms", (r) => r.delayMs],
  ["rate_per_s", (r) => r.rate],
  ["sent", (r) => r.sent],
  ["ok", (r) => r.ok],
  ["failed", (r) => r.failed],
  ["p50_ms", (r) => fixed(r.p50Ms, 2)],
  ["p99_ms", (r) => fixed(r.p99Ms, 2)],
  ["max_ms", (r) => fixed(r.maxMs, 2)],
  ["leader_fsyncs_per_s", (r) => fixed(r.leaderFsyncsPerS, 1)],
  ["leader_fsync_mean_ms", (r) => fixed(r.leaderFsyncMeanMs, 2)],
  ["backend_commit_mean_ms", (r) => fixed(r.backendCommitMeanMs, 2)],
  ["leader_changes", (r) => fixed(r.leaderChanges, 0)],
  ["heartbeat_send_failures", (r) => fixed(r.heartbeatSendFailures, 0)],
  ["proposals_failed", (r) => fixed(r.proposalsFailed, 0)],
  ["load1_before", (r) => fixed(r.load1, 2)],
];

/** Rewrites the CSV and probe (see writeResults). */
function writeRows(out: string, rows: readonly Row[], p: Probe): void {
  const comment =
    `Real etcd ${p.etcd}, 3 members on one ${p.cpus}-vCPU host (${p.cpuModel ?? "?"}) with the ` +
    "load client; fdatasync/fsync delayed by strace; bench/etcd-real/slow-disk.ts";
  writeResults(out, { file: "slow-disk.csv", comment, columns: CSV, rows }, p);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "bench/data/etcd-slow-disk" },
      seconds: { type: "string", default: "20" },
      delays: { type: "string", default: "0,5,50,200,500,1000,2000" },
      rates: { type: "string", default: "50,200" },
    },
  });
  const seconds = Number(values.seconds);
  const delays = values.delays.split(",").map(Number);
  const rates = values.rates.split(",").map(Number);
  const machine = probe(seconds);
  const work = mkdtempSync(join(tmpdir(), "simctl-etcd-slow-disk-"));
  const rows: Row[] = [];
  try {
    for (const delayMs of delays) {
      const dir = join(work, `delay-${delayMs}`);
      mkdirSync(dir);
      const cluster = startCluster(3, dir, { basePort: BASE_PORT, wrap: straceWrap(delayMs) });
      try {
        // Bootstrap fsyncs its WAL, snapshot and votes: seconds of start-up on a slow disk.
        const healthy = await Promise.all(cluster.clientUrls.map((u) => waitHealthy(u, HEALTH_TIMEOUT_S))).then(
          () => true,
          () => false,
        );
        if (!healthy) {
          const c = await clusterCounters(cluster.clientUrls).catch(() => [Number.NaN, Number.NaN, Number.NaN]);
          for (const rate of rates) {
            rows.push({
              ...UNHEALTHY,
              delayMs,
              rate,
              leaderChanges: c[0]!,
              heartbeatSendFailures: c[1]!,
              proposalsFailed: c[2]!,
            });
          }
          process.stderr.write(
            `delay ${delayMs} ms: no healthy cluster in ${HEALTH_TIMEOUT_S} s, leader changes ${c[0]}\n`,
          );
          writeRows(values.out, rows, machine);
          continue;
        }
        const leader = leaderUrl(cluster);
        for (const rate of rates) {
          const load1 = loadavg()[0]!;
          const r = await openLoop(cluster.clientUrls, leader, rate, seconds, `slow-disk/${delayMs}/${rate}`);
          rows.push({ status: "ok", delayMs, rate, load1, ...r });
          process.stderr.write(
            `delay ${delayMs} ms, ${rate}/s: ${r.ok}/${r.sent} ok, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ` +
              `max ${r.maxMs.toFixed(1)} ms, fsync ${r.leaderFsyncMeanMs.toFixed(1)} ms x ${r.leaderFsyncsPerS.toFixed(1)}/s, ` +
              `leader changes ${r.leaderChanges}, failed ${r.failed} (load ${load1.toFixed(2)})\n`,
          );
          writeRows(values.out, rows, machine);
        }
      } finally {
        await stopCluster(cluster);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
