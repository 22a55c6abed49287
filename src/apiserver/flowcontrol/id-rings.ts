/**
 * A fixed number of FIFO rings of integer ids (request ids), structure-of-arrays: ring r has its
 * own growable Int32Array buffer plus head and count columns.
 * perf: push and shift are O(1) and allocation-free until a ring doubles; rings start small
 * (most APF queues stay short) and grow independently.
 */
export class IdRings {
  private readonly bufs: Int32Array[];
  private readonly head: Int32Array;
  private readonly count: Int32Array;

  constructor(rings: number, initialCapacity = 8) {
    const cap = Math.max(4, 1 << Math.ceil(Math.log2(Math.max(1, initialCapacity))));
    this.bufs = [];
    for (let i = 0; i < rings; i++) this.bufs.push(new Int32Array(cap));
    this.head = new Int32Array(rings);
    this.count = new Int32Array(rings);
  }

  /** Entries in ring `r` (including any the owner considers dead). */
  size(r: number): number {
    return this.count[r]!;
  }

  push(r: number, id: number): void {
    let buf = this.bufs[r]!;
    const n = this.count[r]!;
    if (n === buf.length) buf = this.grow(r);
    // perf: capacities are powers of two, so wrap is a mask.
    buf[(this.head[r]! + n) & (buf.length - 1)] = id;
    this.count[r] = n + 1;
  }

  /** The oldest id of ring `r`, or -1 when empty. */
  peek(r: number): number {
    return this.count[r]! === 0 ? -1 : this.bufs[r]![this.head[r]!]!;
  }

  /** Removes and returns the oldest id of ring `r`, or -1 when empty. */
  shift(r: number): number {
    const n = this.count[r]!;
    if (n === 0) return -1;
    const buf = this.bufs[r]!;
    const h = this.head[r]!;
    const id = buf[h]!;
    this.head[r] = (h + 1) & (buf.length - 1);
    this.count[r] = n - 1;
    return id;
  }

  /** Empties ring `r`. */
  clear(r: number): void {
    this.head[r] = 0;
    this.count[r] = 0;
  }

  private grow(r: number): Int32Array {
    const old = this.bufs[r]!;
    const next = new Int32Array(old.length * 2);
    const h = this.head[r]!;
    const n = this.count[r]!;
    const mask = old.length - 1;
    for (let i = 0; i < n; i++) next[i] = old[(h + i) & mask]!;
    this.bufs[r] = next;
    this.head[r] = 0;
    return next;
  }
}
