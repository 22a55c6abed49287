import { columnTable } from "../core/column-table.js";
import { namesOf, type ValueOf } from "../core/names-of.js";

/** Why the backend committed: its batch-interval timer, its batch limit, or a raft snapshot. */
export const BackendCommitReason = { interval: 0, limit: 1, snapshot: 2 } as const;
export type BackendCommitReason = ValueOf<typeof BackendCommitReason>;
/** Names of {@link BackendCommitReason} values, for an Arrow dictionary. */
export const BACKEND_COMMIT_REASON_NAMES = namesOf(BackendCommitReason);

/**
 * One row per bbolt backend commit (etcd_disk_backend_commit_duration_seconds). While a commit
 * runs it holds the backend batch-tx lock, so the apply loop waits; the raft path does not.
 *
 * Contract: as `EtcdBatchLog`: typed columns, rows `[0, size)` valid, arrays replaced on growth.
 */
export class BackendCommitLog extends columnTable({
  /** When the commit took the batch-tx lock. */
  startNs: { type: "Float64", unset: NaN },
  /** Duration of the commit. */
  durationNs: { type: "Float64", unset: NaN },
  /** Puts committed (bbolt pending count). */
  puts: "Int32",
  /** What triggered it: {@link BackendCommitReason}. */
  reason: "Uint8",
}) {
  constructor(initialCapacity = 256) {
    super(Math.max(16, initialCapacity));
  }

  /** Appends a commit and returns its row. */
  add(startNs: number, durationNs: number, puts: number, reason: BackendCommitReason): number {
    const r = this.addRow();
    this.startNs[r] = startNs;
    this.durationNs[r] = durationNs;
    this.puts[r] = puts;
    this.reason[r] = reason;
    return r;
  }
}
