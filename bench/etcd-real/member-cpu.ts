import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { closedLoop } from "./closed-loop.js";
import { type Column, fixed, hostProbe, metrics, withCluster, writeResults } from "./cluster.js";

/**
 * Measures the CPU each member of a real 3-member etcd (Debian's etcd-server) spends per put
 * under etcd's `benchmark put` load (closed-loop.ts) at several client counts: the members' own
 * `process_cpu_seconds_total`, their WAL fsyncs (one per raft Ready that carried entries) and
 * bbolt commits over the measured window. A follower serves no client, so its CPU per put is the
 * raft and apply work every member does, split by the puts per Ready it saw: what
 * bench/data/etcd/fixed.yaml had to assume (entryCost, applyCost) because the 1-member curves
 * cannot tell it from the request goroutines' work. Members and client share this host, as in
 * bench/data/etcd. Development tool, not runtime code:
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/etcd-real/member-cpu.js --out bench/data/etcd-member-cpu
 *
 * Writes `member-cpu.csv` (one row per client count and member, and one for the load client, this
 * process) and `probe.json` (versions, machine, and the host's busy share per client count).
 */

const BASE_PORT = 24390;
const COUNTERS = [
  "process_cpu_seconds_total",
  "etcd_disk_wal_fsync_duration_seconds_count",
  "etcd_disk_backend_commit_duration_seconds_count",
] as const;

interface Row {
  clients: number;
  role: string;
  puts: number;
  opsPerS: number;
  cpuUsPerPut: number;
  putsPerReady: number;
  putsPerBackendCommit: number;
  load1: number;
}

/** The columns of member-cpu.csv. */
const CSV: readonly Column<Row>[] = [
  ["clients", (r) => r.clients],
  ["role", (r) => r.role],
  ["puts", (r) => r.puts],
  ["ops_per_s", (r) => fixed(r.opsPerS, 0)],
  ["cpu_us_per_put", (r) => fixed(r.cpuUsPerPut, 2)],
  ["puts_per_ready", (r) => fixed(r.putsPerReady, 2)],
  ["puts_per_backend_commit", (r) => fixed(r.putsPerBackendCommit, 1)],
  ["load1_before", (r) => fixed(r.load1, 2)],
];

/** The host's busy and total CPU time so far, in clock ticks (/proc/stat, first line). */
function hostTicks(): [number, number] {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3]! + f[4]!; // idle + iowait
  return [total - idle, total];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "bench/data/etcd-member-cpu" },
      seconds: { type: "string", default: "10" },
      clients: { type: "string", default: "1,4,16,64,256,1000" },
    },
  });
  const seconds = Number(values.seconds);
  const rows: Row[] = [];
  const hostBusy: { clients: number; busy: number }[] = [];
  const probe = hostProbe(seconds);
  const comment = `Real etcd ${probe.etcd}, 3 members and the load client on one ${probe.cpus}-vCPU host; bench/etcd-real/member-cpu.ts`;
  await withCluster(3, "simctl-etcd-member-cpu", { basePort: BASE_PORT }, async (cluster, leader) => {
    const order = [leader, ...cluster.clientUrls.filter((u) => u !== leader)];
    // The members' counters, then this process's CPU (the load client) and the host's, in us.
    const read = async () => {
      const m = (await Promise.all(order.map((u) => metrics(u, COUNTERS)))).flat();
      const own = process.cpuUsage();
      const [busy, total] = hostTicks();
      return [...m, own.user + own.system, busy, total];
    };
    let keyBase = 0;
    for (const clients of values.clients.split(",").map(Number)) {
      const load1 = loadavg()[0]!;
      const r = await closedLoop(leader, clients, seconds, keyBase, read);
      keyBase = r.keys;
      for (let m = 0; m < order.length; m++) {
        const [cpuS, readies, commits] = r.counters.slice(m * COUNTERS.length, (m + 1) * COUNTERS.length);
        rows.push({
          clients,
          role: m === 0 ? "leader" : `follower${m}`,
          puts: r.puts,
          opsPerS: r.opsPerS,
          cpuUsPerPut: (cpuS! * 1e6) / r.puts,
          putsPerReady: r.puts / readies!,
          putsPerBackendCommit: r.puts / commits!,
          load1,
        });
      }
      const [clientUs, busy, total] = r.counters.slice(order.length * COUNTERS.length);
      rows.push({
        clients,
        role: "client",
        puts: r.puts,
        opsPerS: r.opsPerS,
        cpuUsPerPut: clientUs! / r.puts,
        putsPerReady: Number.NaN,
        putsPerBackendCommit: Number.NaN,
        load1,
      });
      hostBusy.push({ clients, busy: busy! / total! });
      const f = rows.slice(-4, -1);
      process.stderr.write(
        `clients ${clients}: ${r.opsPerS.toFixed(0)} puts/s; CPU us/put ${f.map((x) => x.cpuUsPerPut.toFixed(1)).join(" / ")}, ` +
          `puts/Ready ${f.map((x) => x.putsPerReady.toFixed(1)).join(" / ")} (leader / followers); client ` +
          `${rows[rows.length - 1]!.cpuUsPerPut.toFixed(1)} us/put; host busy ${(100 * hostBusy[hostBusy.length - 1]!.busy).toFixed(0)}%\n`,
      );
      writeResults(values.out, { file: "member-cpu.csv", comment, columns: CSV, rows }, { ...probe, hostBusy });
    }
  });
}

await main();
