import { columnTable } from "../core/column-table.js";

/**
 * One row per leader raft Ready that carried new entries: the unit of group commit. The leader
 * writes the row's entries to its WAL with one append + fdatasync and ships them to followers in
 * one MsgApp each.
 *
 * Contract: columns are typed arrays of capacity >= `size`; rows `[0, size)` are valid; a column
 * array is replaced (not resized) when the log grows, so read `log.startNs` afresh after running
 * and slice with `subarray(0, log.size)` (this is what an Arrow writer takes). Times are integer
 * ns; `commitNs` is NaN until the row's last entry is committed (handed to apply).
 */
export class EtcdBatchLog extends columnTable(
  {
    /** When the leader cut the Ready and began the WAL append. */
    startNs: { type: "Float64", unset: NaN },
    /** When etcdserver saw the row's last entry committed (the Ready that handed it to apply). */
    commitNs: { type: "Float64", unset: NaN },
    /** Raft index of the row's first entry. */
    firstIndex: "Float64",
    /** Entries in the batch. */
    entries: "Int32",
    /** Payload bytes of the batch's entries. */
    bytes: "Float64",
    /** The leader's fdatasync sample for the batch (what etcd_disk_wal_fsync_duration_seconds sees). */
    fsyncNs: "Float64",
    /** The leader's whole WAL save: encode + write + fsync. */
    saveNs: "Float64",
  },
  { appendOnly: true },
) {
  constructor(initialCapacity = 1024) {
    super(Math.max(16, initialCapacity));
  }

  /** Appends a batch and returns its row; `commitNs` starts as NaN. */
  add(startNs: number, firstIndex: number, entries: number, bytes: number, fsyncNs: number, saveNs: number): number {
    const r = this.addRow();
    this.startNs[r] = startNs;
    this.firstIndex[r] = firstIndex;
    this.entries[r] = entries;
    this.bytes[r] = bytes;
    this.fsyncNs[r] = fsyncNs;
    this.saveNs[r] = saveNs;
    return r;
  }

  /** Raft index of the last entry of row `r`. */
  lastIndex(r: number): number {
    return this.firstIndex[r]! + this.entries[r]! - 1;
  }
}
