import { RandomStreams } from "../core/random.js";
import { runEtcdBenchmark } from "../etcd/benchmark.js";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import type { EtcdSpec } from "../scenario/sections/etcd.js";
import type { Measurement } from "./measurements.js";
import { nelderMead } from "./nelder-mead.js";

/** What the model predicts for one point. */
export interface PredictedPoint {
  opsPerS: number;
  p50Ms: number;
  p99Ms: number;
}

/** How a point is replayed: etcd's `benchmark put` with these sizes, steady state only. */
export interface ReplayOptions {
  /** Value bytes of each put (`--val-size`); keys are 8 bytes, as in etcd's performance guide. */
  valueBytes: number;
  seed: number;
}

/**
 * Writes per replayed point: enough for every client to complete about twenty, at least 3,000
 * and at most 40,000, of which the first and last tenth are left out as start-up and drain.
 */
function replayWrites(clients: number): number {
  return Math.min(40_000, Math.max(3_000, clients * 20));
}

/** Replays one measured point against the model with parameters `spec`. */
export function predictPoint(spec: EtcdSpec, p: Measurement, o: ReplayOptions): PredictedPoint {
  const config = {
    ...DEFAULT_ETCD_CONFIG,
    ...spec,
    members: p.members,
    cpus: p.hostCpus ?? spec.cpus,
    colocated: p.colocated ?? spec.colocated,
  };
  const r = runEtcdBenchmark(config, {
    clients: p.clients,
    totalWrites: replayWrites(p.clients),
    keyBytes: 8,
    valueBytes: o.valueBytes,
    seed: o.seed,
    trimFraction: 0.1,
  });
  return { opsPerS: r.writesPerSec, p50Ms: r.p50LatencyMs, p99Ms: r.p99LatencyMs };
}

/**
 * The parameters a fit can move: the CPU cost of each kind of work and the WAL's write
 * bandwidth. Everything else (topology, fsync latency, RTT, backend) describes the measured
 * setup and comes from the user's `--fixed` file or the defaults.
 */
export const FIT_PARAMETERS = [
  "requestCpuNs",
  "benchmarkClientCpuNs",
  "readyCpuNs",
  "entryCpuNs",
  "applyCpuNs",
  "peerMessageCpuNs",
  "walWriteBandwidth",
] as const satisfies readonly (keyof EtcdSpec)[];
export type FitParameter = (typeof FIT_PARAMETERS)[number];

/**
 * Parameters the data cannot tell apart, each tied to one that is fitted unless the user fixes
 * it: an MVCC apply and a raft step + WAL encode are both per-entry work on every member, so
 * only their sum shows; a raft message costs its two ends what a client request costs the
 * server (a protobuf over an HTTP stream each), which a curve of one member cannot show at all.
 * A tie is released when the data can identify the parameter: peer messages once a row has
 * more than one member.
 */
const TIES: Readonly<Partial<Record<FitParameter, FitParameter>>> = {
  applyCpuNs: "entryCpuNs",
  peerMessageCpuNs: "requestCpuNs",
};

/** Where the search starts: microsecond-scale costs and an SSD's bandwidth. */
const START: Readonly<Record<FitParameter, number>> = {
  requestCpuNs: 30_000,
  benchmarkClientCpuNs: 30_000,
  readyCpuNs: 100_000,
  entryCpuNs: 10_000,
  applyCpuNs: 10_000,
  peerMessageCpuNs: 30_000,
  walWriteBandwidth: 50_000_000,
};

/** Bounds that keep a wandering search physical: 100 ns to 100 ms of CPU, 1 MB/s to 100 GB/s. */
const BOUNDS: Readonly<Record<FitParameter, readonly [number, number]>> = {
  requestCpuNs: [100, 1e8],
  benchmarkClientCpuNs: [100, 1e8],
  readyCpuNs: [100, 1e8],
  entryCpuNs: [100, 1e8],
  applyCpuNs: [100, 1e8],
  peerMessageCpuNs: [100, 1e8],
  walWriteBandwidth: [1e6, 1e11],
};

/** The result of {@link fitEtcd}. */
export interface EtcdFit {
  spec: EtcdSpec;
  /** Parameters the search moved, and those tied to one of them. */
  fitted: FitParameter[];
  tied: [FitParameter, FitParameter][];
  /** Root mean square of the log errors of throughput and p50 over the fitted rows. */
  rmsLogError: number;
  evaluations: number;
}

/** Options of {@link fitEtcd}. */
export interface FitOptions extends ReplayOptions {
  /** Objective evaluations allowed (each replays every row). */
  maxEvaluations: number;
}

/**
 * Fits the parameters of {@link FIT_PARAMETERS} that `fixed` does not set to the measured
 * `points`, minimising the sum over points of ln(predicted/measured)^2 for throughput and for
 * p50 (p99 is reported, not fitted: its tail comes from effects the model leaves out), by a
 * seeded Nelder-Mead search in log-parameters.
 *
 * Contract: deterministic for given inputs and seed; `fixed` values are kept verbatim.
 */
export function fitEtcd(
  points: readonly Measurement[],
  fixed: EtcdSpec,
  fixedKeys: ReadonlySet<string>,
  o: FitOptions,
): EtcdFit {
  const multiMember = points.some((p) => p.members > 1);
  const tied: [FitParameter, FitParameter][] = [];
  const fitted: FitParameter[] = [];
  for (const k of FIT_PARAMETERS) {
    if (fixedKeys.has(k)) continue;
    const to = TIES[k];
    if (to !== undefined && !(k === "peerMessageCpuNs" && multiMember)) tied.push([k, to]);
    else fitted.push(k);
  }
  const specAt = (x: Float64Array): EtcdSpec => {
    const s: EtcdSpec = { ...fixed };
    fitted.forEach((k, i) => {
      const [lo, hi] = BOUNDS[k];
      const v = Math.min(hi, Math.max(lo, Math.exp(x[i]!)));
      s[k] = k === "walWriteBandwidth" ? v : Math.round(v);
    });
    for (const [k, to] of tied) s[k] = s[to];
    return s;
  };
  const objective = (x: Float64Array): number => {
    const s = specAt(x);
    let sum = 0;
    for (const p of points) {
      const r = predictPoint(s, p, o);
      sum += Math.log(r.opsPerS / p.opsPerS) ** 2 + Math.log(r.p50Ms / p.p50Ms) ** 2;
    }
    return sum;
  };
  const start = Float64Array.from(fitted, (k) => Math.log(START[k]));
  const m = nelderMead(objective, start, {
    maxEvaluations: o.maxEvaluations,
    step: Math.log(2),
    tolerance: 1e-4,
    restarts: 3,
    rng: new RandomStreams(o.seed).stream("calibrate/nelder-mead"),
  });
  return {
    spec: specAt(m.x),
    fitted,
    tied,
    rmsLogError: Math.sqrt(m.value / (2 * points.length)),
    evaluations: m.evaluations,
  };
}
