import { growF64, growI32 } from "../core/grow.js";

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
export class EtcdBatchLog {
  private cap: number;
  private count = 0;
  /** When the leader cut the Ready and began the WAL append. */
  startNs: Float64Array;
  /** When etcdserver saw the row's last entry committed (the Ready that handed it to apply). */
  commitNs: Float64Array;
  /** Raft index of the row's first entry. */
  firstIndex: Float64Array;
  /** Entries in the batch. */
  entries: Int32Array;
  /** Payload bytes of the batch's entries. */
  bytes: Float64Array;
  /** The leader's fdatasync sample for the batch (what etcd_disk_wal_fsync_duration_seconds sees). */
  fsyncNs: Float64Array;
  /** The leader's whole WAL save: encode + write + fsync. */
  saveNs: Float64Array;

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.startNs = new Float64Array(this.cap);
    this.commitNs = new Float64Array(this.cap);
    this.firstIndex = new Float64Array(this.cap);
    this.entries = new Int32Array(this.cap);
    this.bytes = new Float64Array(this.cap);
    this.fsyncNs = new Float64Array(this.cap);
    this.saveNs = new Float64Array(this.cap);
  }

  /** Rows recorded. */
  get size(): number {
    return this.count;
  }

  /** Appends a batch and returns its row; `commitNs` starts as NaN. */
  add(startNs: number, firstIndex: number, entries: number, bytes: number, fsyncNs: number, saveNs: number): number {
    if (this.count === this.cap) this.grow();
    const r = this.count++;
    this.startNs[r] = startNs;
    this.commitNs[r] = NaN;
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

  private grow(): void {
    const cap = this.cap * 2;
    this.startNs = growF64(this.startNs, cap);
    this.commitNs = growF64(this.commitNs, cap);
    this.firstIndex = growF64(this.firstIndex, cap);
    this.entries = growI32(this.entries, cap);
    this.bytes = growF64(this.bytes, cap);
    this.fsyncNs = growF64(this.fsyncNs, cap);
    this.saveNs = growF64(this.saveNs, cap);
    this.cap = cap;
  }
}
