import { LadderQueue, SLOT_LAYOUT, slotRecords } from "./ladder-queue.js";

/** Kind id reserved for a slot whose event was cancelled; it is skipped when it surfaces. */
const CANCELLED = -1;
/** Slots are encoded in the low 26 bits of a handle, the slot's generation above them. */
const SLOT_BITS = 26;
const SLOT_SPACE = 2 ** SLOT_BITS;
const GEN_LIMIT = 2 ** 26;
// perf: module-local copies of the slot layout for the hot paths (see SLOT_LAYOUT).
const SLOT_WORDS = SLOT_LAYOUT.words;
const SLOT_INTS = 2 * SLOT_WORDS;
const TIME = SLOT_LAYOUT.time;
const SEQ = SLOT_LAYOUT.seq;
// A slot's own fields, beside the ladder's time and seq (Float64 words 0 and 1) and link
// (int32 6): the argument in Float64 word 2; kind, target and generation in int32s 7 to 9.
const ARG = 2;
const KIND = 7;
const TARGET = 8;
const GEN = 9;
checkSlotFields();

/** Throws at load if the slot's own fields overlap the ladder's or run past the record (int32 units). */
function checkSlotFields(): void {
  // Float64 words (time, seq, arg) take two int32s each.
  const words = [TIME, SEQ, ARG].flatMap((w) => [2 * w, 2 * w + 1]);
  const used = [...words, SLOT_LAYOUT.next, KIND, TARGET, GEN];
  if (new Set(used).size !== used.length || Math.max(...used) >= SLOT_INTS || Math.min(...used) < 0)
    throw new Error("event-queue: a slot field overlaps another or lies outside the slot record");
}

/**
 * An opaque reference to a scheduled event, valid until the event fires or is cancelled.
 * It packs (generation, slot) so a stale handle to a recycled slot is recognised and ignored.
 */
export type EventHandle = number & { readonly __brand: "EventHandle" };

/**
 * Pending events as a pool of slot records (one per event: time, seq, kind, target, arg and
 * generation, see {@link SLOT_LAYOUT}), ordered by a {@link LadderQueue} over slot indices (it
 * replaced `fastpriorityqueue`: 3.5 times faster at 1e5 pending; README, Benchmarks).
 *
 * Order is (time, seq): seq is a counter stamped at insertion, so events at the same instant fire
 * in the order they were scheduled (FIFO), independent of the structure's internals.
 * perf: no object per event; a slot is recycled through a free list once its event is popped,
 * and cancellation only marks the slot (lazy deletion), so cancel is O(1). The pool keeps its
 * own records instead of a core/column-table: the ladder queue reads and links the same
 * records and is rebound on growth, a released slot bumps its generation, and the dispatch
 * loop reads the records directly, without the table's extra indirection.
 */
export class EventQueue {
  /** The slot records as words and as int32s: two views of one buffer. */
  private f: Float64Array;
  private i: Int32Array;
  private free: Int32Array;
  private freeTop = 0;
  private capacity: number;
  private nextSeq = 0;
  private live = 0;
  private readonly order: LadderQueue;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    const records = slotRecords(this.capacity);
    this.f = new Float64Array(records);
    this.i = new Int32Array(records);
    this.free = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.free[i] = this.capacity - 1 - i;
    this.freeTop = this.capacity;
    this.order = new LadderQueue(records);
  }

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.live;
  }

  /** Inserts an event and returns its handle. `timeNs` must be an integer. */
  push(timeNs: number, kind: number, target: number, arg: number): EventHandle {
    if (this.freeTop === 0) this.grow();
    const slot = this.free[--this.freeTop]!;
    const w = slot * SLOT_WORDS;
    const f = this.f;
    f[w + TIME] = timeNs;
    f[w + SEQ] = this.nextSeq++;
    f[w + ARG] = arg;
    const k = slot * SLOT_INTS;
    const iv = this.i;
    iv[k + KIND] = kind;
    iv[k + TARGET] = target;
    this.order.push(timeNs, slot);
    this.live++;
    return (iv[k + GEN]! * SLOT_SPACE + slot) as EventHandle;
  }

  /** Marks an event cancelled. Returns false if it already fired or was cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = Math.floor(handle / SLOT_SPACE);
    const k = slot * SLOT_INTS;
    if (slot >= this.capacity || this.i[k + GEN] !== gen || this.i[k + KIND] === CANCELLED) return false;
    this.i[k + KIND] = CANCELLED;
    this.live--;
    return true;
  }

  /** Time of the earliest pending event, or `Infinity` when none is pending. */
  peekTime(): number {
    const slot = this.topLive();
    return slot < 0 ? Infinity : this.f[slot * SLOT_WORDS + TIME]!;
  }

  /**
   * Removes the earliest pending event and returns its slot; read it with the accessors before
   * the next push (the slot is already free). Returns -1 when nothing is pending.
   */
  pop(): number {
    // perf: one ladder call per popped slot; cancelled slots are released as they surface,
    // in the same order as topLive() would release them.
    const order = this.order;
    for (;;) {
      const slot = order.popTop();
      if (slot < 0) return -1;
      this.release(slot);
      if (this.i[slot * SLOT_INTS + KIND] !== CANCELLED) {
        this.live--;
        return slot;
      }
    }
  }

  /**
   * As {@link pop}, but only when the earliest pending event is at or before `untilNs`:
   * returns -1 when nothing is pending and -2 when the earliest event is later (it stays).
   * perf: one call per event for the run loop instead of peekTime + pop.
   */
  popUntil(untilNs: number): number {
    if (untilNs === Infinity) return this.pop();
    const slot = this.topLive();
    if (slot < 0) return -1;
    if (this.f[slot * SLOT_WORDS + TIME]! > untilNs) return -2;
    this.order.popTop();
    this.release(slot);
    this.live--;
    return slot;
  }

  timeOf(slot: number): number {
    return this.f[slot * SLOT_WORDS + TIME]!;
  }
  kindOf(slot: number): number {
    return this.i[slot * SLOT_INTS + KIND]!;
  }
  targetOf(slot: number): number {
    return this.i[slot * SLOT_INTS + TARGET]!;
  }
  argOf(slot: number): number {
    return this.f[slot * SLOT_WORDS + ARG]!;
  }

  /** Drops cancelled slots sitting at the top and returns the live top slot, or -1. */
  private topLive(): number {
    const order = this.order;
    for (;;) {
      const slot = order.peek();
      if (slot < 0) return -1;
      if (this.i[slot * SLOT_INTS + KIND] !== CANCELLED) return slot;
      order.popTop();
      this.release(slot);
    }
  }

  private release(slot: number): void {
    const g = slot * SLOT_INTS + GEN;
    this.i[g] = (this.i[g]! + 1) % GEN_LIMIT;
    this.free[this.freeTop++] = slot;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    if (cap > SLOT_SPACE) throw new RangeError(`event queue exceeds ${SLOT_SPACE} pending events`);
    const records = slotRecords(cap);
    const f = new Float64Array(records);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(records);
    // The free list is empty when we grow; the new slots become free, lowest first.
    const free = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) free[i] = cap - 1 - i;
    this.free = free;
    this.freeTop = cap - old;
    this.capacity = cap;
    this.order.rebind(records);
  }
}
