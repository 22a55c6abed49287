import type { Simulation } from "../sim/simulation.js";
import type { Column } from "./arrow-writer.js";

/**
 * etcd.arrow: one row per group commit (a leader raft Ready that carried entries): when the
 * batch started and committed, its first raft index, entry count, bytes, the leader's WAL
 * fsync and its whole WAL save (encode + write + fsync), in simulated nanoseconds.
 */
export function etcdColumns(sim: Simulation): { columns: Column[]; rows: number } {
  const b = sim.etcd.batches;
  return {
    rows: b.size,
    columns: [
      b.arrow("startNs", "int64", "start_ns"),
      b.arrow("commitNs", "int64", "commit_ns"),
      b.arrow("firstIndex", "int64", "first_index"),
      b.arrow("entries", "int32", "entries"),
      b.arrow("bytes", "int64", "bytes"),
      b.arrow("fsyncNs", "int64", "fsync_ns"),
      b.arrow("saveNs", "int64", "wal_save_ns"),
    ],
  };
}
