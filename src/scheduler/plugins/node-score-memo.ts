import { HOT_LOG_SIZE, type SchedulerCache } from "../scheduler-cache.js";

/** Keys a memo remembers at once (pods with different requests); the oldest is recycled. */
const SLOTS = 4;

/**
 * MemoSlots.forgotten when every value was forgotten: more than any node count.
 * perf: a small integer rather than Infinity, so that V8 keeps the field an integer field (a
 * double there measured about 7% on the SchedulingBasic-like throughput case).
 */
const FORGOT_ALL = 2 ** 30;

/** The Int8 value that marks an unknown entry of a {@link NodeVerdictMemo}. */
export const UNKNOWN_VERDICT = -128;

/**
 * Slots of per-node values keyed by a few numbers derived from the pod (e.g. its cpu and memory
 * requests). A value that depends only on the key and the node's line of the cache's hot array
 * stays valid until that line is rewritten: each time a slot is used, the cache's log of rewritten
 * lines ({@link SchedulerCache.hotLog}) since the slot's last use is replayed and those nodes'
 * values are forgotten (all of them when the log has wrapped since).
 * perf: between two cycles only the nodes that received or lost a pod change, so the kernels with
 * float divisions run on those nodes only; elsewhere a node costs one load and a test.
 */
class MemoSlots<A extends Float64Array | Int8Array> {
  /** The values of the slot chosen by the last {@link use}, by node. */
  values: A;
  /**
   * How many hot-line rewrites the last {@link use} forgot values for (an upper bound on the
   * nodes it made unknown; {@link FORGOT_ALL} when it forgot every value).
   */
  forgotten = 0;
  private readonly cache: SchedulerCache;
  private readonly keyLength: number;
  /** Keys of the slots, keyLength numbers each (NaN: unused). */
  private readonly keys: Float64Array;
  private readonly slots: A[] = [];
  /** Per slot: the number of hot-line changes (SchedulerCache.hotChanges) it has replayed. */
  private readonly synced: number[] = [];
  private next = 0;
  private readonly array: { new (n: number): A };
  /** The value of an unknown entry. */
  private readonly unknown: number;

  constructor(cache: SchedulerCache, keyLength: number, array: { new (n: number): A }, unknown: number) {
    this.cache = cache;
    this.keyLength = keyLength;
    this.keys = new Float64Array(SLOTS * keyLength).fill(NaN);
    this.array = array;
    this.unknown = unknown;
    this.values = new array(0);
  }

  /** Selects the slot of key[0..keyLength), its values current for the cache. */
  use(key: Float64Array): void {
    this.values = this.slot(key);
  }

  /** The values of the slot of key[0..keyLength) (recycling the oldest), current for the cache. */
  private slot(key: Float64Array): A {
    const L = this.keyLength;
    const keys = this.keys;
    let s = -1;
    for (let i = 0; i < this.slots.length && s < 0; i++) {
      let same = true;
      for (let j = 0; j < L; j++) if (keys[i * L + j] !== key[j]) same = false;
      if (same) s = i;
    }
    const cache = this.cache;
    if (s < 0) {
      s = this.slots.length;
      if (s < SLOTS) {
        this.slots.push(new this.array(cache.nodes.size));
        this.synced.push(0);
      } else {
        s = this.next;
        this.next = (this.next + 1) % SLOTS;
      }
      for (let j = 0; j < L; j++) keys[s * L + j] = key[j]!;
      this.slots[s]!.fill(this.unknown);
      this.synced[s] = cache.hotChanges;
      this.forgotten = FORGOT_ALL;
    } else this.forgotten = 0;
    const values = this.slots[s]!;
    const from = this.synced[s]!;
    const to = cache.hotChanges;
    if (to - from > HOT_LOG_SIZE) {
      values.fill(this.unknown);
      this.forgotten = FORGOT_ALL;
    } else {
      this.forgotten += to - from;
      const log = cache.hotLog;
      const unknown = this.unknown;
      for (let c = from; c < to; c++) values[log[c % HOT_LOG_SIZE]!] = unknown;
    }
    this.synced[s] = to;
    return values;
  }
}

/** A memo of node-local scores (any finite numbers), NaN where unknown (see MemoSlots). */
export class NodeScoreMemo extends MemoSlots<Float64Array> {
  constructor(cache: SchedulerCache, keyLength: number) {
    super(cache, keyLength, Float64Array, NaN);
  }
}

/**
 * A memo of small per-node verdicts (integers in [-127, 127], e.g. -1 for "does not fit" or a
 * score in [0, 100]), {@link UNKNOWN_VERDICT} where unknown (see MemoSlots).
 * perf: one byte per node, so a pass over thousands of nodes reads a few kilobytes.
 */
export class NodeVerdictMemo extends MemoSlots<Int8Array> {
  constructor(cache: SchedulerCache, keyLength: number) {
    super(cache, keyLength, Int8Array, UNKNOWN_VERDICT);
  }
}

/**
 * totals[i] = the memoized value of node list[i] for i < n where it is known; the positions i
 * where it is not are written to missAt, and their count returned (the caller computes those).
 * perf: a module function over typed arrays; besides totals it stores only on a miss.
 */
export function setMemoized(
  values: Float64Array,
  list: Int32Array,
  n: number,
  totals: Float64Array,
  missAt: Int32Array,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[list[i]!]!;
    if (!Number.isNaN(v)) totals[i] = v;
    else missAt[m++] = i;
  }
  return m;
}
