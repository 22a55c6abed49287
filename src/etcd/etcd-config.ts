import { lognormal, type DistSpec } from "../core/distributions.js";
import type { ValueOf } from "../core/names-of.js";

/**
 * Error codes an {@link EtcdCluster} passes as the `revision` argument of a proposal's
 * `onCommit` event when the proposal is refused before it reaches raft. Committed writes carry
 * a revision >= 2, so any negative value is an error.
 */
export const EtcdError = {
  /** `etcdserver: request is too large` (ErrRequestTooLarge): the proposal exceeds `maxRequestBytes`. */
  RequestTooLarge: -1,
  /** `etcdserver: too many requests` (ErrTooManyRequests): the apply loop lags the commit index. */
  TooManyRequests: -2,
} as const;
export type EtcdError = ValueOf<typeof EtcdError>;

/**
 * Parameters of the etcd model: cluster size and placement, network and disk, the CPU cost of
 * each kind of work, and the upstream limits and batching knobs.
 *
 * Contract: latencies are {@link DistSpec}s in integer nanoseconds; `*Ns` fields are integer
 * nanoseconds of CPU on one core; all members share one disk, network and CPU profile. Fields
 * marked "upstream" default to the etcd v3.5 server defaults and change only when a scenario
 * overrides the flag.
 */
export interface EtcdConfig {
  /** Prefix of the random stream names (`<name>/<member>`) and event names. Default "etcd". */
  name?: string;
  /** Voting members (1, 3 or 5 in practice). Member 0 is the leader; quorum is floor(n/2)+1. */
  members: number;
  /** Cores of each member's host (of the one shared host when `colocated`). */
  cpus: number;
  /** Every member, and a benchmark's load client, share one host of `cpus` cores. */
  colocated: boolean;
  /** Round trip between two members; each one-way message takes half of one sample. */
  peerRtt: DistSpec;
  /** The fixed part of one WAL fdatasync (per member, per raft Ready that carries entries). */
  walFsync: DistSpec;
  /** Bytes per second the WAL device writes during an fdatasync; the batch's bytes add bytes/bandwidth. */
  walWriteBandwidth: number;
  /** CPU per client request on the leader: gRPC decode, auth, InternalRaftRequest marshal, reply encode. */
  requestCpuNs: number;
  /** CPU per raft message on each side (rafthttp encode on the sender, decode on the receiver). */
  peerMessageCpuNs: number;
  /** CPU per raft Ready on every member, whatever its size: the loop's hand-offs and syscalls. */
  readyCpuNs: number;
  /** CPU per log entry on every member, in the raft loop: raft step, WAL record encode + crc. */
  entryCpuNs: number;
  /** CPU per committed entry on every member, in the serial apply loop: the MVCC put. */
  applyCpuNs: number;
  /** CPU per request of a `benchmark put` load client (encode the put, decode the reply). */
  benchmarkClientCpuNs: number;
  /** Threads the benchmark client runs its requests on (1 for a Node.js client); 0 = one per core. */
  benchmarkClientThreads: number;
  /** upstream `--backend-batch-interval`: the backend commits pending puts this often. */
  backendBatchIntervalNs: number;
  /** upstream `--backend-batch-limit`: the backend also commits once this many puts are pending. */
  backendBatchLimit: number;
  /** Duration of one bbolt transaction commit (page writes + fdatasync), holding the batch tx lock. */
  backendCommit: DistSpec;
  /** upstream `--snapshot-count`: applied entries between raft snapshots (each forces a backend commit). */
  snapshotCount: number;
  /** upstream `--max-request-bytes`: larger proposals are rejected with {@link EtcdError.RequestTooLarge}. */
  maxRequestBytes: number;
  /** upstream maxGapBetweenApplyAndCommitIndex: beyond it, proposals get {@link EtcdError.TooManyRequests}. */
  maxApplyLag: number;
}

const US = 1_000;
const MS = 1_000_000;
const MIB = 1024 * 1024;

/**
 * A 3-member etcd v3.5 cluster on the hardware of etcd's performance guide: three 8-vCPU
 * machines with SSDs in one datacenter, the load client on a machine of its own.
 *
 * The CPU costs are fitted to a real etcd measured on a 2-vCPU Xeon host
 * (bench/data/etcd/fitted.yaml, from 3 points of its 1-member curve by `simctl calibrate etcd`);
 * the disk and network are the guide's machines as documented. The guide's two published
 * points (583 writes/s at 1.6 ms; 44-50k at 20-22 ms) are the check, not the fit
 * (test/etcd/benchmark.test.ts).
 *
 * Contract: every field is set; scenarios spread their overrides over this object.
 */
export const DEFAULT_ETCD_CONFIG: EtcdConfig = {
  name: "etcd",
  members: 3,
  // model: op-guide/performance.md benchmark machines: "3 machines of 8 vCPUs + 16GB Memory +
  // 50GB SSD", one member each; the client had a 16-vCPU machine of its own.
  cpus: 8,
  colocated: false,
  // model: (assumed) one GCE zone: CALIBRATION.md etcd row "in-DC RTT a few hundred us" as the
  // tail, with a median of 150 us between VMs of one zone. The 1-client point moves with it
  // (1.60 ms at a 100 us median, 1.84 ms at 250 us; 1.68 ms here).
  peerRtt: lognormal(150 * US, 500 * US),
  // model: (assumed) CALIBRATION.md etcd row "fsync < 1 ms SSD" (op-guide/performance.md: "For
  // SSDs, the latency is often lower than 1ms"), with a network-attached disk's tail: the
  // guide's machines used 50 GB GCE persistent SSDs.
  walFsync: lognormal(500 * US, 2 * MS),
  // model: a GCE pd-ssd writes 0.48 MB/s per GB provisioned (GCE persistent disk performance
  // table), so the guide's 50 GB disks wrote 24 MB/s.
  walWriteBandwidth: 24_000_000,
  // model: fitted to bench/data/etcd (bench/data/etcd/fitted.yaml): requestCost, readyCost and
  // benchmarkClientCost; peerMessageCost is tied to requestCost (one protobuf over an HTTP/2
  // stream each) and the 3-member curve, not fitted, checks it.
  requestCpuNs: 88_075,
  peerMessageCpuNs: 88_075,
  readyCpuNs: 109_850,
  // model: (assumed, bench/data/etcd/fixed.yaml) the serial per-entry work the one-box data
  // cannot separate from the request goroutines': WAL record encode + crc and a raft step of a
  // 300-byte entry, then an MVCC put.
  entryCpuNs: 3_000,
  applyCpuNs: 10_000,
  benchmarkClientCpuNs: 14_553,
  // model: etcd's benchmark tool is a Go program: it runs on every core of its machine.
  benchmarkClientThreads: 0,
  // model: server/storage/backend/backend.go defaultBatchInterval = 100 * time.Millisecond
  // (flag --backend-batch-interval, 0 = default).
  backendBatchIntervalNs: 100 * MS,
  // model: server/storage/backend/backend.go defaultBatchLimit = 10000 (flag --backend-batch-limit).
  backendBatchLimit: 10_000,
  // model: CALIBRATION.md etcd row "backend commit p99 < 25 ms" is the health target; a healthy SSD
  // commits a 100 ms batch in a few ms (assumption, weak: no published distribution).
  backendCommit: lognormal(2 * MS, 10 * MS),
  // model: server/etcdserver/server.go DefaultSnapshotCount = 100000 (flag --snapshot-count).
  snapshotCount: 100_000,
  // model: Documentation/dev-guide/limit.md "By default, the maximum size of any request is
  // 1.5 MiB" (server/embed/config.go DefaultMaxRequestBytes = 1.5 * 1024 * 1024).
  maxRequestBytes: 1.5 * MIB,
  // model: server/etcdserver/v3_server.go maxGapBetweenApplyAndCommitIndex = 5000.
  maxApplyLag: 5000,
};
