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
export class ProposalRing {
  private mask: number;
  private newest = 0;
  private oldest = 1;
  /** Caller's request id (delivered as the event target of the commit reply). */
  requestId: Int32Array;
  /** Event kind to fire on commit. */
  kind: Int32Array;
  /** Proposal payload bytes. */
  bytes: Float64Array;
  /** Simulated time of `propose`. */
  proposeNs: Float64Array;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.mask = cap - 1;
    this.requestId = new Int32Array(cap);
    this.kind = new Int32Array(cap);
    this.bytes = new Float64Array(cap);
    this.proposeNs = new Float64Array(cap);
  }

  /** Live entries. */
  get size(): number {
    return this.newest - this.oldest + 1;
  }

  /** Sequence number of the newest pushed entry (0 before the first). */
  get last(): number {
    return this.newest;
  }

  /** Adds a proposal and returns its sequence number. */
  push(requestId: number, kind: number, bytes: number, proposeNs: number): number {
    if (this.size > this.mask) this.grow();
    const seq = ++this.newest;
    const s = seq & this.mask;
    this.requestId[s] = requestId;
    this.kind[s] = kind;
    this.bytes[s] = bytes;
    this.proposeNs[s] = proposeNs;
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

  private grow(): void {
    const oldMask = this.mask;
    const cap = (oldMask + 1) * 2;
    const mask = cap - 1;
    const requestId = new Int32Array(cap);
    const kind = new Int32Array(cap);
    const bytes = new Float64Array(cap);
    const proposeNs = new Float64Array(cap);
    for (let seq = this.oldest; seq <= this.newest; seq++) {
      const a = seq & oldMask;
      const b = seq & mask;
      requestId[b] = this.requestId[a]!;
      kind[b] = this.kind[a]!;
      bytes[b] = this.bytes[a]!;
      proposeNs[b] = this.proposeNs[a]!;
    }
    this.requestId = requestId;
    this.kind = kind;
    this.bytes = bytes;
    this.proposeNs = proposeNs;
    this.mask = mask;
  }
}
