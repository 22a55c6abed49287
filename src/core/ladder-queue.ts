/**
 * Below this many events a bucket goes straight into the bottom heap instead of being split
 * into a finer rung. perf: the best of 8..200 on the hold model at 1e3..1e6 pending.
 */
const DEFAULT_THRESHOLD = 48;

/**
 * The ordering structure of the event queue: a ladder queue (Tang, Goh and Thng, "Ladder
 * queue: an O(1) priority queue structure for large-scale discrete event simulation", ACM
 * TOMACS 15(3), 2005) whose Bottom is a binary heap.
 *
 * It orders slot ids by (time, seq), both read from the pool's arrays, with three tiers:
 * - the bottom heap holds every event earlier than `bound`, ordered exactly;
 * - rungs of buckets (singly linked lists over slots, through `next`) hold events in
 *   [bound, top start), each rung finer than the one above; a bucket is only ever split or
 *   moved to the heap whole, so order inside a bucket never matters;
 * - Top holds the unsorted far future (at or after `topStart`).
 * When the heap runs dry the first non-empty bucket of the finest rung moves into it (or is
 * split into a finer rung when it holds more than `threshold` events, 48 by default); when
 * every rung is spent, Top is spread into a new rung sized to its count. Each event is touched a bounded
 * number of times on average, so push and pop cost O(1) amortised instead of a heap's
 * O(log n). Against a flat binary heap measured in the same run (bench/engine.bench.ts, hold
 * model), the engine around it is 1.3 to 1.4 times as fast at 1e5 pending, but 0.7 to 0.9
 * times at 1e6, where every bucket move and pop is a cache miss into the pool's arrays.
 *
 * The heap also fuses pop with the next push: {@link popTop} leaves a hole at the root, and a
 * push that lands in the heap before the next pop fills the hole with one sift-down (the
 * "hold" pattern of a handler that schedules its successor).
 * Contract: pops come out in strict (time, seq) order whatever the distribution of times, so
 * a simulation's results do not depend on this structure. Times are integers.
 */
export class LadderQueue {
  /** Pool arrays (replaced on growth through {@link rebind}). */
  private time: Float64Array;
  private seq: Float64Array;
  /** Bucket and Top lists: next slot in the same list, or -1. */
  private next: Int32Array;

  // Bottom: binary heap of (time, slot), with an optional hole at the root.
  private ht: Float64Array;
  private hs: Int32Array;
  /** Heap positions in use, the hole included. */
  private hn = 0;
  private hole = false;
  /** Every event earlier than this is in the heap; none at or after it is. */
  private bound = 0;

  // Rungs, coarsest (0) to finest (depth - 1).
  private depth = 0;
  private readonly rStart: number[] = [];
  private readonly rWidth: number[] = [];
  private readonly rBuckets: number[] = [];
  private readonly rCur: number[] = [];
  private readonly rEnd: number[] = [];
  private readonly rHead: Int32Array[] = [];
  private readonly rCount: Int32Array[] = [];

  // Top: an unsorted list of events at or after `topStart`.
  private topHead = -1;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;
  private topStart = 0;
  /** Buckets with more events than this are split; at most this many go to the heap at once. */
  private readonly threshold: number;

  /**
   * Orders slots of a pool whose times and sequence numbers are in `time` and `seq`, for up to
   * `capacity` slots. `threshold` is a tuning knob (tests set it low to exercise deep rungs).
   */
  constructor(time: Float64Array, seq: Float64Array, capacity: number, threshold = DEFAULT_THRESHOLD) {
    this.threshold = Math.max(1, threshold);
    this.time = time;
    this.seq = seq;
    this.next = new Int32Array(capacity);
    this.ht = new Float64Array(capacity + 1);
    this.hs = new Int32Array(capacity + 1);
  }

  /** Points at the pool's new arrays after it grew to `capacity` slots. */
  rebind(time: Float64Array, seq: Float64Array, capacity: number): void {
    this.time = time;
    this.seq = seq;
    if (this.next.length < capacity) {
      const next = new Int32Array(capacity);
      next.set(this.next);
      this.next = next;
      const ht = new Float64Array(capacity + 1);
      ht.set(this.ht);
      this.ht = ht;
      const hs = new Int32Array(capacity + 1);
      hs.set(this.hs);
      this.hs = hs;
    }
  }

  /** Inserts `slot`, whose time is `t`. */
  push(t: number, slot: number): void {
    if (t < this.bound) {
      this.heapPush(t, slot);
      return;
    }
    const rEnd = this.rEnd;
    for (let r = this.depth - 1; r >= 0; r--) {
      if (t < rEnd[r]!) {
        this.toBucket(r, t, slot);
        return;
      }
    }
    this.next[slot] = this.topHead;
    this.topHead = slot;
    this.topCount++;
    if (t < this.topMin) this.topMin = t;
    if (t > this.topMax) this.topMax = t;
  }

  /** The earliest slot without removing it, or -1 when empty. */
  peek(): number {
    if (this.hole) this.settle();
    if (this.hn === 0 && !this.refill()) return -1;
    return this.hs[0]!;
  }

  /**
   * Removes the earliest slot and returns it (-1 when empty). perf: the root is left as a hole
   * that the next heap push fills in place.
   */
  popTop(): number {
    if (this.hole) this.settle();
    if (this.hn === 0 && !this.refill()) return -1;
    this.hole = true;
    return this.hs[0]!;
  }

  private heapPush(t: number, s: number): void {
    if (this.hole) {
      this.hole = false;
      this.siftDownFromRoot(t, s);
      return;
    }
    const ht = this.ht;
    const hs = this.hs;
    const seq = this.seq;
    let i = this.hn++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = ht[p]!;
      if (tp < t || (tp === t && seq[hs[p]!]! < seq[s]!)) break;
      ht[i] = tp;
      hs[i] = hs[p]!;
      i = p;
    }
    ht[i] = t;
    hs[i] = s;
  }

  /** Closes the hole at the root with the last element. */
  private settle(): void {
    this.hole = false;
    const last = --this.hn;
    if (last > 0) this.siftDownFromRoot(this.ht[last]!, this.hs[last]!);
  }

  /** Places (t, s) at the root, whose old content is gone, and sifts it down (hole sift). */
  private siftDownFromRoot(t: number, s: number): void {
    const ht = this.ht;
    const hs = this.hs;
    const seq = this.seq;
    const n = this.hn;
    const half = n >> 1;
    let i = 0;
    while (i < half) {
      let c = 2 * i + 1;
      let tc = ht[c]!;
      const r = c + 1;
      if (r < n) {
        const tr = ht[r]!;
        if (tr < tc || (tr === tc && seq[hs[r]!]! < seq[hs[c]!]!)) {
          c = r;
          tc = tr;
        }
      }
      if (t < tc || (t === tc && seq[s]! < seq[hs[c]!]!)) break;
      ht[i] = tc;
      hs[i] = hs[c]!;
      i = c;
    }
    ht[i] = t;
    hs[i] = s;
  }

  /** Adds a slot to bucket floor((t - start) / width) of rung r. */
  private toBucket(r: number, t: number, s: number): void {
    const w = this.rWidth[r]!;
    const d = t - this.rStart[r]!;
    let i = Math.floor(d / w);
    // The float quotient can round up to the next integer when d is just below a multiple.
    if (i * w > d) i--;
    else if ((i + 1) * w <= d) i++;
    const head = this.rHead[r]!;
    this.next[s] = head[i]!;
    head[i] = s;
    this.rCount[r]![i]!++;
  }

  /** Moves the next events into the (empty) heap. Returns false when nothing is left anywhere. */
  private refill(): boolean {
    const time = this.time;
    const next = this.next;
    for (;;) {
      if (this.depth === 0) {
        if (this.topCount === 0) return false;
        const lo = this.topMin;
        const hi = this.topMax;
        const c = this.topCount;
        let s = this.topHead;
        this.topHead = -1;
        this.topCount = 0;
        this.topMin = Infinity;
        this.topMax = -Infinity;
        if (c <= this.threshold || hi === lo) {
          this.topStart = hi + 1;
          this.bound = hi + 1;
          while (s >= 0) {
            const n = next[s]!;
            this.heapPush(time[s]!, s);
            s = n;
          }
          return true;
        }
        const w = Math.max(1, Math.ceil((hi - lo + 1) / c));
        const nb = Math.ceil((hi - lo + 1) / w);
        this.topStart = lo + nb * w;
        this.newRung(lo, w, nb, this.topStart);
        while (s >= 0) {
          const n = next[s]!;
          this.toBucket(0, time[s]!, s);
          s = n;
        }
        this.bound = lo;
      }
      const r = this.depth - 1;
      const head = this.rHead[r]!;
      const count = this.rCount[r]!;
      const nb = this.rBuckets[r]!;
      let k = this.rCur[r]!;
      while (k < nb && count[k] === 0) k++;
      if (k >= nb) {
        this.depth--;
        this.bound = this.rEnd[r]!;
        continue;
      }
      const w = this.rWidth[r]!;
      const end = this.rEnd[r]!;
      const bs = this.rStart[r]! + k * w;
      const c = count[k]!;
      let s = head[k]!;
      head[k] = -1;
      count[k] = 0;
      this.rCur[r] = k + 1;
      // A rung's last bucket may reach past the rung's end: clamp to the end.
      const be = bs + w < end ? bs + w : end;
      if (c <= this.threshold || w === 1) {
        this.bound = be;
        while (s >= 0) {
          const n = next[s]!;
          this.heapPush(time[s]!, s);
          s = n;
        }
        return true;
      }
      const wc = Math.max(1, Math.ceil(w / c));
      this.newRung(bs, wc, Math.ceil(w / wc), be);
      while (s >= 0) {
        const n = next[s]!;
        this.toBucket(r + 1, time[s]!, s);
        s = n;
      }
      this.bound = bs;
    }
  }

  private newRung(start: number, width: number, buckets: number, end: number): void {
    const r = this.depth++;
    const head = this.rHead[r];
    if (head === undefined || head.length < buckets) {
      // perf: a rung's arrays are kept and reused by the next rung at the same depth.
      const size = Math.max(buckets, 1024);
      this.rHead[r] = new Int32Array(size).fill(-1);
      this.rCount[r] = new Int32Array(size);
    } else {
      head.fill(-1, 0, buckets);
      this.rCount[r]!.fill(0, 0, buckets);
    }
    this.rStart[r] = start;
    this.rWidth[r] = width;
    this.rBuckets[r] = buckets;
    this.rCur[r] = 0;
    this.rEnd[r] = end;
  }
}
