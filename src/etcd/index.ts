/**
 * The etcd model: a raft group with group commit, an apply loop with MVCC revisions and a
 * batching bbolt backend, plus the etcd `benchmark put` driver used to calibrate it.
 */
export { EtcdCluster } from "./etcd-cluster.js";
export { DEFAULT_ETCD_CONFIG, EtcdError, type EtcdConfig } from "./etcd-config.js";
export { EtcdBatchLog } from "./batch-log.js";
export { BackendCommitLog, BackendCommitReason, BACKEND_COMMIT_REASON_NAMES } from "./backend-commit-log.js";
export {
  runEtcdBenchmark,
  PUT_OVERHEAD_BYTES,
  type EtcdBenchmarkOptions,
  type EtcdBenchmarkResult,
} from "./benchmark.js";
