import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import seedrandom from "seedrandom";
import { type Column, fixed, hostProbe, quantile, withCluster, writeResults } from "./cluster.js";
import { EtcdPutClient } from "./grpc-put.js";
import { watchPrefix } from "./grpc-watch.js";

/**
 * Measures how long after a write's reply a watcher of the same etcd member receives the write's
 * event: the lag the model's watch cache samples (`controlPlane.watch.cacheLag`, from the API
 * server's receipt of a committed write to the event entering its watch cache). The API server's
 * storage for a resource is one etcd client (one HTTP/2 connection) holding both its writes and
 * its watch of the resource's prefix (apiserver storage/etcd3/store.go, watcher.go), so here one
 * connection to one member carries an open loop of Poisson puts of pod-sized values under
 * /registry/pods/ and a watch of that prefix. Each put's send, reply and event arrival are taken
 * on the client's clock. Against a real 3-member etcd (Debian's etcd-server), with the
 * connection on the leader and on a follower. Development tool, not runtime code:
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/etcd-real/watch-lag.js --out bench/data/etcd-watch-lag
 *
 * Writes `watch-lag.csv` (one row per member role and rate) and `probe.json`.
 */

const BASE_PORT = 24590;
/** About a pod as the API server stores it (protobuf, managedFields included): the model's 5 kB. */
const VALUE = Buffer.alloc(5000, 0x61);
const PREFIX = "/registry/pods/default/";
const WARM_S = 2;
/** How long events still missing at the end of a point are waited for. */
const DRAIN_S = 5;

interface Row {
  member: string;
  rate: number;
  puts: number;
  events: number;
  /** Event arrival minus reply arrival, ms: quantiles, and the share of events that came first. */
  lagP50Ms: number;
  lagP90Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  eventFirst: number;
  /** Put latency (send to reply), ms. */
  putP50Ms: number;
  putP99Ms: number;
  load1: number;
}

async function point(url: string, rate: number, seconds: number, seed: string): Promise<Omit<Row, "member" | "load1">> {
  const client = new EtcdPutClient(url);
  const n = Math.ceil((WARM_S + seconds) * rate * 1.5);
  const sendAt = new Float64Array(n).fill(Number.NaN);
  const replyAt = new Float64Array(n).fill(Number.NaN);
  const eventAt = new Float64Array(n).fill(Number.NaN);
  const stop = watchPrefix(client.session, Buffer.from(PREFIX), (key) => {
    const i = Number(key.subarray(PREFIX.length + 2).toString());
    if (i < n && Number.isNaN(eventAt[i]!)) eventAt[i] = performance.now();
  });
  // The watch is created before the first put: give etcd a moment to register it.
  await new Promise((r) => setTimeout(r, 500));
  const rng = seedrandom(seed);
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let next = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    next += (-Math.log(1 - rng()) / rate) * 1000;
    if (next > (WARM_S + seconds) * 1000) break;
    const wait = t0 + next - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sendAt[i] = next >= WARM_S * 1000 ? performance.now() : Number.NaN;
    count = i + 1;
    pending.push(
      client.put(Buffer.from(`${PREFIX}p-${i}`), VALUE).then(() => {
        replyAt[i] = performance.now();
      }),
    );
  }
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, DRAIN_S * 1000));
  stop();
  client.close();
  const lag: number[] = [];
  const put: number[] = [];
  let puts = 0;
  let first = 0;
  for (let i = 0; i < count; i++) {
    if (Number.isNaN(sendAt[i]!)) continue;
    puts++;
    put.push(replyAt[i]! - sendAt[i]!);
    if (Number.isNaN(eventAt[i]!)) continue;
    const d = eventAt[i]! - replyAt[i]!;
    lag.push(d);
    if (d < 0) first++;
  }
  const l = Float64Array.from(lag).sort();
  const p = Float64Array.from(put).sort();
  return {
    rate,
    puts,
    events: l.length,
    lagP50Ms: quantile(l, 0.5),
    lagP90Ms: quantile(l, 0.9),
    lagP99Ms: quantile(l, 0.99),
    lagMaxMs: l[l.length - 1]!,
    eventFirst: first / l.length,
    putP50Ms: quantile(p, 0.5),
    putP99Ms: quantile(p, 0.99),
  };
}

/** The columns of watch-lag.csv. */
const CSV: readonly Column<Row>[] = [
  ["member", (r) => r.member],
  ["rate_per_s", (r) => r.rate],
  ["puts", (r) => r.puts],
  ["events", (r) => r.events],
  ["lag_p50_ms", (r) => fixed(r.lagP50Ms, 3)],
  ["lag_p90_ms", (r) => fixed(r.lagP90Ms, 3)],
  ["lag_p99_ms", (r) => fixed(r.lagP99Ms, 3)],
  ["lag_max_ms", (r) => fixed(r.lagMaxMs, 3)],
  ["event_first", (r) => fixed(r.eventFirst, 3)],
  ["put_p50_ms", (r) => fixed(r.putP50Ms, 3)],
  ["put_p99_ms", (r) => fixed(r.putP99Ms, 3)],
  ["load1_before", (r) => fixed(r.load1, 2)],
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "bench/data/etcd-watch-lag" },
      seconds: { type: "string", default: "20" },
      rates: { type: "string", default: "50,200,1000" },
    },
  });
  const seconds = Number(values.seconds);
  const rates = values.rates.split(",").map(Number);
  const probe = { ...hostProbe(seconds), valueBytes: VALUE.length };
  const comment = `Real etcd ${probe.etcd}, 3 members on one host with the client; bench/etcd-real/watch-lag.ts`;
  const rows: Row[] = [];
  await withCluster(3, "simctl-etcd-watch-lag", { basePort: BASE_PORT }, async (cluster, leader) => {
    const follower = cluster.clientUrls.find((u) => u !== leader)!;
    for (const [member, url] of [
      ["leader", leader],
      ["follower", follower],
    ] as const) {
      for (const rate of rates) {
        const load1 = loadavg()[0]!;
        const r = await point(url, rate, seconds, `watch-lag/${member}/${rate}`);
        rows.push({ member, load1, ...r });
        process.stderr.write(
          `${member}, ${rate}/s: ${r.events}/${r.puts} events, lag p50 ${r.lagP50Ms.toFixed(3)} p99 ${r.lagP99Ms.toFixed(3)} ` +
            `max ${r.lagMaxMs.toFixed(3)} ms, event first ${(r.eventFirst * 100).toFixed(1)}%, put p50 ${r.putP50Ms.toFixed(2)} ms (load ${load1.toFixed(2)})\n`,
        );
        writeResults(values.out, { file: "watch-lag.csv", comment, columns: CSV, rows }, probe);
      }
    }
  });
}

await main();
