import { columnTable } from "../core/column-table.js";

/**
 * The proposals a leader holds between acceptance and apply, keyed by a dense sequence number
 * (1, 2, 3, ...) that is also the entry's raft index: proposals reach the raft log in the order
 * they were accepted, and only entries in `[oldest, newest]` are live.
 *
 * Contract: `push` returns the next sequence number; columns are read at `slot(seq)` for a live
 * seq; `release(seq)` drops every entry up to `seq`. Capacity doubles when full.
 * perf: a power-of-two ring of typed columns, so a slot is `seq & mask` (exact while seq < 2^31):
 * no allocation per proposal and no shifting.
 */
export class ProposalRing extends columnTable({
  /** Caller's request id (delivered as the event target of the commit reply). */
  requestId: { type: "Int32", unset: -1 },
  /** Event kind to fire on commit. */
  kind: "Int32",
  /** Proposal payload bytes. */
  bytes: "Float64",
  /** Simulated time of `propose`. */
  proposeNs: { type: "Float64", unset: NaN },
  /** When the raft node goroutine has stepped it into the leader's log. */
  appendNs: { type: "Float64", unset: NaN },
}) {
  private mask: number;
  private newest = 0;
  private oldest = 1;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    super(cap);
    this.mask = cap - 1;
  }

  /** Live entries (the ring places rows by sequence number: the table's `size` stays 0). */
  get live(): number {
    return this.newest - this.oldest + 1;
  }

  /** Sequence number of the newest pushed entry (0 before the first). */
  get last(): number {
    return this.newest;
  }

  /** Adds a proposal and returns its sequence number. */
  push(requestId: number, kind: number, bytes: number, proposeNs: number, appendNs: number): number {
    if (this.live > this.mask) this.regrow();
    const seq = ++this.newest;
    const s = seq & this.mask;
    this.requestId[s] = requestId;
    this.kind[s] = kind;
    this.bytes[s] = bytes;
    this.proposeNs[s] = proposeNs;
    this.appendNs[s] = appendNs;
    return seq;
  }

  /** Column slot of live sequence number `seq`. */
  slot(seq: number): number {
    return seq & this.mask;
  }

  /** Drops every entry with sequence number <= `seq`. */
  release(seq: number): void {
    if (seq >= this.oldest) this.oldest = seq + 1;
  }

  /** Doubles the ring and moves every live entry to its slot under the new mask. */
  private regrow(): void {
    const oldMask = this.mask;
    const mask = (oldMask + 1) * 2 - 1;
    const old = this.replaceColumns(mask + 1);
    for (let seq = this.oldest; seq <= this.newest; seq++) this.copyRow(old, seq & oldMask, seq & mask);
    this.mask = mask;
  }
}
