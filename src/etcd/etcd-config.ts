import { lognormal, type DistSpec } from "../core/distributions.js";

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
export type EtcdError = (typeof EtcdError)[keyof typeof EtcdError];

/**
 * Parameters of the etcd model: cluster size, network and disk latencies, the leader's CPU
 * costs per entry, and the upstream limits and batching knobs.
 *
 * Contract: latencies are {@link DistSpec}s in integer nanoseconds; `*Ns` fields are integer
 * nanoseconds; all members share one disk and network profile. Fields marked "upstream" default
 * to the etcd v3.5 server defaults and change only when a scenario overrides the flag.
 */
export interface EtcdConfig {
  /** Prefix of the random stream names (`<name>/<member>`) and event names. Default "etcd". */
  name?: string;
  /** Voting members (1, 3 or 5 in practice). Member 0 is the leader; quorum is floor(n/2)+1. */
  members: number;
  /** Round trip between two members; each one-way message takes half of one sample. */
  peerRtt: DistSpec;
  /** One WAL fdatasync (per member, per raft Ready that carries entries). */
  walFsync: DistSpec;
  /** CPU to encode one entry into the WAL (protobuf marshal + crc32), serial in the raft loop. */
  walEncodeNsPerEntry: number;
  /** Time to write one WAL byte into the page cache before the fsync. */
  walWriteNsPerByte: number;
  /**
   * Per-request server work before the proposal reaches raft (gRPC decode, auth, marshalling the
   * InternalRaftRequest). Runs in the request's own goroutine, so it is a pure delay, not a queue.
   */
  requestNs: number;
  /** Stepping one MsgProp through the raft state machine; serial in the raft node goroutine. */
  proposeNs: number;
  /** Applying one committed entry to the MVCC store (index + bbolt buffered put); serial. */
  applyNs: number;
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

/**
 * A 3-member etcd v3.5 cluster on SSDs in one datacenter, calibrated against the etcd
 * performance guide (CALIBRATION.md "etcd" rows): 1 client -> 583 writes/s at 1.6 ms,
 * 1,000 clients -> 44-50k writes/s at 20-22 ms, with one parameter set.
 *
 * Contract: every field is set; scenarios spread their overrides over this object.
 */
export const DEFAULT_ETCD_CONFIG: EtcdConfig = {
  name: "etcd",
  members: 3,
  // model: CALIBRATION.md etcd row "in-DC RTT a few hundred us" (etcd op-guide/performance.md:
  // "The RTT within a datacenter may be as long as several hundred microseconds").
  peerRtt: lognormal(250 * US, 1 * MS),
  // model: CALIBRATION.md etcd rows "fsync < 1 ms SSD" and "WAL fsync p99 < 10 ms" (health target,
  // etcd op-guide/performance.md: "For SSDs, the latency is often lower than 1ms"). The benchmark
  // machines used 50 GB GCE persistent SSDs, network-attached, hence the tail.
  walFsync: lognormal(850 * US, 3 * MS),
  // model: server/storage/wal/encoder.go encodes each raftpb.Entry (marshal + crc32) in the raft
  // goroutine; ~1 us per small entry (assumption, no published figure; a small share of latency).
  walEncodeNsPerEntry: 1 * US,
  // model: WAL writes go through a buffered pageWriter into the page cache (~1 GB/s, assumption).
  walWriteNsPerByte: 1,
  // model: gRPC + v3_server.go processInternalRaftRequestOnce (marshal, wait registration) run in
  // the request goroutine on any of the 8 vCPUs of the benchmark machines; tens of us (assumption
  // chosen with the 1-client benchmark point).
  requestNs: 30 * US,
  // model: raft node.run steps every MsgProp (appendEntry + bcastAppend) one at a time
  // (go.etcd.io/raft node.go, case pm := <-propc); a few us.
  proposeNs: 2 * US,
  // model: op-guide/performance.md: "Each serialized etcd request must run through etcd's
  // boltdb-backed MVCC storage engine, which usually takes tens of microseconds to finish." The
  // apply loop (server.go applyAll -> applyEntries) is the one serial stage that saturates: 20 us
  // per put gives ~49k applies/s, the 1,000-client benchmark ceiling (44-50k writes/s). The
  // guide's leader-only vs all-members gap (44k vs 50k) comes from gRPC CPU on the leader, which
  // `requestNs` treats as parallel, so it is not reproduced.
  applyNs: 20 * US,
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
  maxRequestBytes: 1.5 * 1024 * 1024,
  // model: server/etcdserver/v3_server.go maxGapBetweenApplyAndCommitIndex = 5000.
  maxApplyLag: 5000,
};
