/**
 * Below this many events a bucket goes straight into the bottom heap instead of being split
 * into a finer rung. perf: the best of 8..200 on the hold model at 1e3..1e6 pending.
 */
const DEFAULT_THRESHOLD = 48;

// perf: the layout's module-local copies, not imported or exported bindings, are what the hot
// paths read (an import costs a cell load and a hole check per use: 5 to 10% at 1e3 pending).
const SLOT_WORDS = 5;
const TIME = 0;
const SEQ = 1;
const NEXT = 6;

/**
 * A pool slot is one record of `words` 8-byte words in one buffer, read through a Float64Array
 * and an Int32Array view of it. The ladder owns three fields of a record: time and seq (Float64
 * indices `time` and `seq` within the record) and its bucket link (Int32 index `next` of the
 * record's 2 * `words` int32s: the next slot in the same list, or -1); the pool that owns the
 * slots puts its own fields in the rest.
 * perf: at 1e6 pending nearly every touch of a slot is a cache miss; with its fields in one
 * record instead of one typed array each, the bucket walk, the pop and the dispatch of an event
 * read one or two cache lines where parallel arrays read one per field.
 */
export const SLOT_LAYOUT = { words: SLOT_WORDS, time: TIME, seq: SEQ, next: NEXT } as const;

/** A pool of `capacity` slot records (see {@link SLOT_LAYOUT}), zeroed. */
export function slotRecords(capacity: number): ArrayBuffer {
  return new ArrayBuffer(capacity * SLOT_WORDS * 8);
}

/**
 * The ordering structure of the event queue: a ladder queue (Tang, Goh and Thng, "Ladder
 * queue: an O(1) priority queue structure for large-scale discrete event simulation", ACM
 * TOMACS 15(3), 2005) whose Bottom is a binary heap.
 *
 * It orders slot ids by (time, seq), both read from the pool's slot records, with three tiers:
 * - the bottom heap holds every event earlier than `bound`, ordered exactly;
 * - rungs of buckets (singly linked lists over slots, through each record's NEXT) hold events in
 *   [bound, top start), each rung finer than the one above; a bucket is only ever split or
 *   moved to the heap whole, so order inside a bucket never matters;
 * - Top holds the unsorted far future (at or after `topStart`).
 * When the heap runs dry the first non-empty bucket of the finest rung moves into it (or is
 * split into a finer rung when it holds more than `threshold` events, 48 by default); when
 * every rung is spent, Top is spread into a new rung sized to its count. Each event is touched a bounded
 * number of times on average, so push and pop cost O(1) amortised instead of a heap's
 * O(log n). Against a flat binary heap measured in the same run (bench/engine.bench.ts, hold
 * model), the engine around it is 1.1 to 1.3 times as fast at 1e3 pending, 1.4 to 1.45 times at
 * 1e5 and 1.0 to 1.3 times at 1e6 (README bench tables of 2026-12-03 and -04), where a bucket
 * move and a pop still miss the cache on the slot's record (0.65 to 0.85 times before the
 * slot's fields shared one record).
 *
 * The heap also fuses pop with the next push: {@link popTop} leaves a hole at the root, and a
 * push that lands in the heap before the next pop fills the hole with one sift-down (the
 * "hold" pattern of a handler that schedules its successor).
 * Contract: pops come out in strict (time, seq) order whatever the distribution of times, so
 * a simulation's results do not depend on this structure. Times are integers.
 */
export class LadderQueue {
  /** The pool's slot records as words and as int32s (replaced on growth through {@link rebind}). */
  private f: Float64Array;
  private i: Int32Array;

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
  /**
   * Per rung, bucket b's list head plus one (0: empty) at 2b and its event count at 2b + 1.
   * perf: interleaved, so adding to a bucket touches one cache line; zero is the empty bucket,
   * so a rung is cleared with one fill.
   */
  private readonly rBucket: Int32Array[] = [];

  // Top: an unsorted list of events at or after `topStart`.
  private topHead = -1;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;
  private topStart = 0;
  /** Buckets with more events than this are split; at most this many go to the heap at once. */
  private readonly threshold: number;

  /**
   * Orders the slots of `records` (made by {@link slotRecords}), whose times and sequence
   * numbers the pool writes before it pushes a slot. `threshold` is a tuning knob (tests set it
   * low to exercise deep rungs).
   */
  constructor(records: ArrayBuffer, threshold = DEFAULT_THRESHOLD) {
    this.threshold = Math.max(1, threshold);
    this.f = new Float64Array(records);
    this.i = new Int32Array(records);
    const capacity = this.f.length / SLOT_WORDS;
    this.ht = new Float64Array(capacity + 1);
    this.hs = new Int32Array(capacity + 1);
  }

  /** Points at the pool's new records after it grew (the old records copied to their start). */
  rebind(records: ArrayBuffer): void {
    this.f = new Float64Array(records);
    this.i = new Int32Array(records);
    const capacity = this.f.length / SLOT_WORDS;
    if (this.ht.length < capacity + 1) {
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
    this.i[slot * (2 * SLOT_WORDS) + NEXT] = this.topHead;
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
    const f = this.f;
    let i = this.hn++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = ht[p]!;
      if (tp < t || (tp === t && f[hs[p]! * SLOT_WORDS + SEQ]! < f[s * SLOT_WORDS + SEQ]!)) break;
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
    const f = this.f;
    const n = this.hn;
    const half = n >> 1;
    let i = 0;
    while (i < half) {
      let c = 2 * i + 1;
      let tc = ht[c]!;
      const r = c + 1;
      if (r < n) {
        const tr = ht[r]!;
        if (tr < tc || (tr === tc && f[hs[r]! * SLOT_WORDS + SEQ]! < f[hs[c]! * SLOT_WORDS + SEQ]!)) {
          c = r;
          tc = tr;
        }
      }
      if (t < tc || (t === tc && f[s * SLOT_WORDS + SEQ]! < f[hs[c]! * SLOT_WORDS + SEQ]!)) break;
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
    const bucket = this.rBucket[r]!;
    this.i[s * (2 * SLOT_WORDS) + NEXT] = bucket[2 * i]! - 1;
    bucket[2 * i] = s + 1;
    bucket[2 * i + 1]!++;
  }

  /** Moves the next events into the (empty) heap. Returns false when nothing is left anywhere. */
  private refill(): boolean {
    const f = this.f;
    const iv = this.i;
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
            const n = iv[s * (2 * SLOT_WORDS) + NEXT]!;
            this.heapPush(f[s * SLOT_WORDS + TIME]!, s);
            s = n;
          }
          return true;
        }
        const w = Math.max(1, Math.ceil((hi - lo + 1) / c));
        const nb = Math.ceil((hi - lo + 1) / w);
        this.topStart = lo + nb * w;
        this.newRung(lo, w, nb, this.topStart);
        while (s >= 0) {
          const n = iv[s * (2 * SLOT_WORDS) + NEXT]!;
          this.toBucket(0, f[s * SLOT_WORDS + TIME]!, s);
          s = n;
        }
        this.bound = lo;
      }
      const r = this.depth - 1;
      const bucket = this.rBucket[r]!;
      const nb = this.rBuckets[r]!;
      let k = this.rCur[r]!;
      while (k < nb && bucket[2 * k + 1] === 0) k++;
      if (k >= nb) {
        this.depth--;
        this.bound = this.rEnd[r]!;
        continue;
      }
      const w = this.rWidth[r]!;
      const end = this.rEnd[r]!;
      const bs = this.rStart[r]! + k * w;
      const c = bucket[2 * k + 1]!;
      let s = bucket[2 * k]! - 1;
      bucket[2 * k] = 0;
      bucket[2 * k + 1] = 0;
      this.rCur[r] = k + 1;
      // A rung's last bucket may reach past the rung's end: clamp to the end.
      const be = bs + w < end ? bs + w : end;
      if (c <= this.threshold || w === 1) {
        this.bound = be;
        while (s >= 0) {
          const n = iv[s * (2 * SLOT_WORDS) + NEXT]!;
          this.heapPush(f[s * SLOT_WORDS + TIME]!, s);
          s = n;
        }
        return true;
      }
      const wc = Math.max(1, Math.ceil(w / c));
      this.newRung(bs, wc, Math.ceil(w / wc), be);
      while (s >= 0) {
        const n = iv[s * (2 * SLOT_WORDS) + NEXT]!;
        this.toBucket(r + 1, f[s * SLOT_WORDS + TIME]!, s);
        s = n;
      }
      this.bound = bs;
    }
  }

  private newRung(start: number, width: number, buckets: number, end: number): void {
    const r = this.depth++;
    const bucket = this.rBucket[r];
    if (bucket === undefined || bucket.length < 2 * buckets) {
      // perf: a rung's array is kept and reused by the next rung at the same depth.
      this.rBucket[r] = new Int32Array(2 * Math.max(buckets, 1024));
    } else {
      bucket.fill(0, 0, 2 * buckets);
    }
    this.rStart[r] = start;
    this.rWidth[r] = width;
    this.rBuckets[r] = buckets;
    this.rCur[r] = 0;
    this.rEnd[r] = end;
  }
}
