import { growF64, growI32, growU8 } from "../core/grow.js";

/** Why the backend committed: its batch-interval timer, its batch limit, or a raft snapshot. */
export const BackendCommitReason = { interval: 0, limit: 1, snapshot: 2 } as const;
export type BackendCommitReason = (typeof BackendCommitReason)[keyof typeof BackendCommitReason];
/** Names of {@link BackendCommitReason} values, for an Arrow dictionary. */
export const BACKEND_COMMIT_REASON_NAMES = ["interval", "limit", "snapshot"] as const;

/**
 * One row per bbolt backend commit (etcd_disk_backend_commit_duration_seconds). While a commit
 * runs it holds the backend batch-tx lock, so the apply loop waits; the raft path does not.
 *
 * Contract: as `EtcdBatchLog`: typed columns, rows `[0, size)` valid, arrays replaced on growth.
 */
export class BackendCommitLog {
  private cap: number;
  private count = 0;
  /** When the commit took the batch-tx lock. */
  startNs: Float64Array;
  /** Duration of the commit. */
  durationNs: Float64Array;
  /** Puts committed (bbolt pending count). */
  puts: Int32Array;
  /** What triggered it: {@link BackendCommitReason}. */
  reason: Uint8Array;

  constructor(initialCapacity = 256) {
    this.cap = Math.max(16, initialCapacity);
    this.startNs = new Float64Array(this.cap);
    this.durationNs = new Float64Array(this.cap);
    this.puts = new Int32Array(this.cap);
    this.reason = new Uint8Array(this.cap);
  }

  /** Rows recorded. */
  get size(): number {
    return this.count;
  }

  /** Appends a commit and returns its row. */
  add(startNs: number, durationNs: number, puts: number, reason: BackendCommitReason): number {
    if (this.count === this.cap) {
      const cap = this.cap * 2;
      this.startNs = growF64(this.startNs, cap);
      this.durationNs = growF64(this.durationNs, cap);
      this.puts = growI32(this.puts, cap);
      this.reason = growU8(this.reason, cap);
      this.cap = cap;
    }
    const r = this.count++;
    this.startNs[r] = startNs;
    this.durationNs[r] = durationNs;
    this.puts[r] = puts;
    this.reason[r] = reason;
    return r;
  }
}
