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
      { name: "start_ns", type: "int64", values: b.startNs },
      { name: "commit_ns", type: "int64", values: b.commitNs },
      { name: "first_index", type: "int64", values: b.firstIndex },
      { name: "entries", type: "int32", values: b.entries },
      { name: "bytes", type: "int64", values: b.bytes },
      { name: "fsync_ns", type: "int64", values: b.fsyncNs },
      { name: "wal_save_ns", type: "int64", values: b.saveNs },
    ],
  };
}
