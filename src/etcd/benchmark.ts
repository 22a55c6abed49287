import { Sampler, type DistSpec } from "../core/distributions.js";
import { Engine } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import { RandomStreams } from "../core/random.js";
import { HostCpu, ThreadPool } from "../sync/host-cpu.js";
import { EtcdCluster } from "./etcd-cluster.js";
import type { EtcdConfig } from "./etcd-config.js";

/** Options of {@link runEtcdBenchmark}, after etcd's `tools/benchmark put` flags. */
export interface EtcdBenchmarkOptions {
  /** Concurrent closed-loop clients (`--clients`). */
  clients: number;
  /** Writes each client issues; give this or `totalWrites`. */
  writesPerClient?: number;
  /** Writes in all (`--total`), drawn by whichever client is free, as the etcd tool does. */
  totalWrites?: number;
  /** Value size (`--val-size`). */
  valueBytes: number;
  /** Key size (`--key-size`); default 8, the performance guide's setting. */
  keyBytes?: number;
  /** Scenario seed for the random streams. */
  seed: number;
  /**
   * Client <-> leader round trip (each way takes half a sample). Defaults to the cluster's
   * `peerRtt`: the guide's client machine sits in the same GCE zone as the members.
   */
  clientRtt?: DistSpec;
  /**
   * Share of the writes, at each end of the run, left out of the figures: the start, when every
   * client sends at once, and the end, when clients run out of writes and the load thins. 0
   * reports the whole run, as etcd's tool does; calibration compares steady states and uses 0.1.
   */
  trimFraction?: number;
}

/** What {@link runEtcdBenchmark} measured, as the etcd benchmark tool reports it. */
export interface EtcdBenchmarkResult {
  /** Completed writes divided by the time from the first send to the last reply. */
  writesPerSec: number;
  /** Mean client-observed latency (send to reply received). */
  meanLatencyMs: number;
  /** Median of the client-observed latency (nearest rank). */
  p50LatencyMs: number;
  /** 99th percentile of the client-observed latency (nearest rank). */
  p99LatencyMs: number;
  /** Leader WAL batches (raft Readies with entries). */
  batches: number;
  /** Writes completed. */
  writes: number;
  /** The cluster after the run, for its logs. */
  cluster: EtcdCluster;
}

/**
 * model: an etcd put request marshals into an InternalRaftRequest (header with a request id +
 * PutRequest key/value) inside a raftpb.Entry (term, index, type): about 20 bytes of protobuf
 * framing around key and value (assumption from the message layouts in api/etcdserverpb).
 */
export const PUT_OVERHEAD_BYTES = 20;

/**
 * Runs etcd's `benchmark put` against a simulated cluster: `clients` closed-loop clients, each
 * sending its next put as soon as the previous one is answered, until the writes run out.
 *
 * Each request costs the client `benchmarkClientCpuNs` on its host (the members' shared host when
 * `colocated`, else a host of its own with `cpus` cores) before it goes on the wire.
 *
 * Contract: deterministic for a given (config, opts); the run starts at t = 0 with every client
 * sending at once; latencies include the client's CPU and round trip; the engine is private to
 * the run.
 */
export function runEtcdBenchmark(config: EtcdConfig, opts: EtcdBenchmarkOptions): EtcdBenchmarkResult {
  const clients = opts.clients;
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`clients must be >= 1, got ${clients}`);
  const total = opts.totalWrites ?? (opts.writesPerClient ?? 0) * clients;
  if (!Number.isInteger(total) || total < 1) {
    throw new RangeError("runEtcdBenchmark needs writesPerClient or totalWrites (a positive integer)");
  }
  const perClient = opts.totalWrites === undefined ? opts.writesPerClient! : Infinity;
  const bytes = (opts.keyBytes ?? 8) + opts.valueBytes + PUT_OVERHEAD_BYTES;

  const engine = new Engine();
  const random = new RandomStreams(opts.seed);
  const cluster = new EtcdCluster(engine, random, config);
  const rtt = new Sampler(opts.clientRtt ?? config.peerRtt, random.stream("benchmark/client"));
  const host = config.colocated ? cluster.hostOf(0) : new HostCpu("benchmark/client", config.cpus);
  const clientThreads = new ThreadPool(host, config.benchmarkClientThreads);
  const clientCpuNs = config.benchmarkClientCpuNs;

  const sentNs = new Float64Array(clients);
  const issuedBy = new Float64Array(clients);
  const latencies = new Float64Array(total);
  const doneNs = new Float64Array(total);
  let issued = 0;
  let done = 0;

  const kArrive = engine.register("benchmark.arrive", (c) => cluster.propose(c, bytes, kReply));
  const kReply = engine.register("benchmark.reply", (c, rev) => {
    if (rev < 0) throw new SimulationError("benchmark", engine.now, `put refused with code ${rev}`);
    engine.schedule(Math.round(rtt.sample() / 2), kReceived, c);
  });
  const kReceived = engine.register("benchmark.received", (c) => {
    doneNs[done] = engine.now;
    latencies[done++] = engine.now - sentNs[c]!;
    send(c);
  });
  function send(c: number): void {
    if (issued >= total || issuedBy[c]! >= perClient) return;
    issued++;
    issuedBy[c] = issuedBy[c]! + 1;
    sentNs[c] = engine.now;
    const encoded = clientThreads.run(engine.now, clientCpuNs);
    engine.scheduleAt(encoded + Math.round(rtt.sample() / 2), kArrive, c);
  }

  for (let c = 0; c < clients; c++) send(c);
  engine.run();
  if (done !== total) throw new SimulationError("benchmark", engine.now, `${done} of ${total} writes completed`);

  const trim = Math.floor(total * (opts.trimFraction ?? 0));
  const from = trim;
  const to = total - trim;
  const startNs = from === 0 ? 0 : doneNs[from - 1]!;
  const window = latencies.subarray(from, to);
  let sum = 0;
  for (let i = 0; i < window.length; i++) sum += window[i]!;
  const sorted = window.slice().sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! / 1e6;
  return {
    writesPerSec: window.length / ((doneNs[to - 1]! - startNs) / 1e9),
    meanLatencyMs: sum / window.length / 1e6,
    p50LatencyMs: rank(0.5),
    p99LatencyMs: rank(0.99),
    batches: cluster.batches.size,
    writes: done,
    cluster,
  };
}
