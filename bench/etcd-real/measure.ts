import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { etcdVersion, quantile, withCluster } from "./cluster.js";
import { type ClosedLoopResult, closedLoop } from "./closed-loop.js";

/**
 * Measures a real etcd (Debian's etcd-server) on this machine, as etcd's own `benchmark put`
 * does (https://etcd.io/docs/v3.4/op-guide/performance/): 8-byte sequential keys, 256-byte
 * values, `clients` concurrent requests over min(clients, 100) connections, all to the leader.
 * Members and the load client share this one host (colocated = 1). Development tool, not
 * runtime code:
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/etcd-real/measure.js --out bench/data/etcd
 *
 * Writes `etcd-puts.csv` (the `simctl calibrate etcd` format: members,clients,ops_per_s,p50_ms,
 * p99_ms,host_cpus,colocated), `etcd-wal.csv` (the leader's WAL fsyncs per point, from its
 * /metrics) and `probe.json` (fsync and loopback latency probes, the machine, load averages).
 */

const CLIENTS = [1, 4, 16, 64, 256, 1000];
const MEMBERS = [1, 3];
const BASE_PORT = 23790;

interface Point extends ClosedLoopResult {
  members: number;
  clients: number;
  load1: number;
}

/** fdatasync of one small append, as etcd's WAL does per Ready batch: p50/p99 in ms. */
function probeFsync(dir: string, n = 2000): { p50Ms: number; p99Ms: number } {
  const fd = openSync(join(dir, "fsync-probe"), "w");
  const buf = Buffer.alloc(512, 1);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    writeSync(fd, buf);
    const s = performance.now();
    fdatasyncSync(fd);
    t[i] = performance.now() - s;
  }
  closeSync(fd);
  t.sort();
  return { p50Ms: quantile(t, 0.5), p99Ms: quantile(t, 0.99) };
}

/** TCP round trip of 64 bytes on loopback: p50/p99 in ms. */
async function probeRtt(n = 2000): Promise<{ p50Ms: number; p99Ms: number }> {
  const server = createServer((s) => s.on("data", (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const sock = tcpConnect(port, "127.0.0.1");
  sock.setNoDelay(true);
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const t = new Float64Array(n);
  const msg = Buffer.alloc(64, 2);
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await new Promise<void>((r) => {
      let got = 0;
      const on = (d: Buffer) => {
        got += d.length;
        if (got >= msg.length) {
          sock.off("data", on);
          r();
        }
      };
      sock.on("data", on);
      sock.write(msg);
    });
    t[i] = performance.now() - s;
  }
  sock.destroy();
  server.close();
  t.sort();
  return { p50Ms: quantile(t, 0.5), p99Ms: quantile(t, 0.99) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "bench/data/etcd" },
      seconds: { type: "string", default: "8" },
      clients: { type: "string", default: CLIENTS.join(",") },
      members: { type: "string", default: MEMBERS.join(",") },
    },
  });
  const seconds = Number(values.seconds);
  const work = mkdtempSync(join(tmpdir(), "simctl-etcd-measure-"));
  const points: Point[] = [];
  try {
    const fsync = probeFsync(work);
    const rtt = await probeRtt();
    process.stderr.write(`fsync p50 ${fsync.p50Ms.toFixed(3)} ms, loopback RTT p50 ${rtt.p50Ms.toFixed(3)} ms\n`);
    for (const members of values.members.split(",").map(Number)) {
      await withCluster(members, "simctl-etcd-measure", { basePort: BASE_PORT }, async (_cluster, leader) => {
        let keyBase = 0;
        for (const clients of values.clients.split(",").map(Number)) {
          const load1 = loadavg()[0]!;
          const r = await closedLoop(leader, clients, seconds, keyBase);
          keyBase = r.keys;
          points.push({ members, clients, load1, ...r });
          process.stderr.write(
            `members ${members} clients ${clients}: ${r.opsPerS.toFixed(0)} puts/s, p50 ${r.p50Ms.toFixed(2)} ms, ` +
              `p99 ${r.p99Ms.toFixed(2)} ms, ${r.putsPerFsync.toFixed(1)} puts/fsync (load ${load1.toFixed(2)})\n`,
          );
        }
      });
    }
    mkdirSync(values.out, { recursive: true });
    const hostCpus = cpus().length;
    const f = (x: number, d: number) => x.toFixed(d);
    writeFileSync(
      join(values.out, "etcd-puts.csv"),
      `# Real etcd ${etcdVersion()} on one ${hostCpus}-vCPU host (${cpus()[0]?.model ?? "?"}), members and load ` +
        "client colocated; bench/etcd-real/measure.ts\n" +
        "members,clients,ops_per_s,p50_ms,p99_ms,host_cpus,colocated\n" +
        points
          .map((p) => `${p.members},${p.clients},${f(p.opsPerS, 0)},${f(p.p50Ms, 3)},${f(p.p99Ms, 3)},${hostCpus},1`)
          .join("\n") +
        "\n",
    );
    writeFileSync(
      join(values.out, "etcd-wal.csv"),
      "members,clients,leader_fsyncs_per_s,leader_fsync_mean_ms,puts_per_fsync,load1_before\n" +
        points
          .map(
            (p) =>
              `${p.members},${p.clients},${f(p.fsyncs / seconds, 0)},${f(p.fsyncMeanMs, 4)},${f(p.putsPerFsync, 2)},${f(p.load1, 2)}`,
          )
          .join("\n") +
        "\n",
    );
    writeFileSync(
      join(values.out, "probe.json"),
      `${JSON.stringify({ etcd: etcdVersion(), cpus: hostCpus, cpuModel: cpus()[0]?.model, node: process.version, fsync, loopbackRtt: rtt, secondsPerPoint: seconds }, null, 2)}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
