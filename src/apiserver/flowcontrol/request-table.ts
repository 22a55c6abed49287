/** A request slot's state. */
export const ReqState = { free: 0, waiting: 1, executing: 2 } as const;
export type ReqState = (typeof ReqState)[keyof typeof ReqState];

/**
 * Per-request APF state, structure-of-arrays, keyed by the caller's request id (a dense,
 * increasing integer below 2^31).
 *
 * A request lives in slot `id & mask`. perf: memory follows the span of ids in flight rather
 * than every id ever issued: when a new id's slot is still held by an older live request the
 * table doubles and re-slots the live rows (ids live at once differ modulo the old size, so they
 * never collide after doubling).
 */
export class RequestTable {
  mask: number;
  /** Id owning each slot (valid when state != free). */
  id: Int32Array;
  state: Uint8Array;
  level: Int32Array;
  /** Global queue index, or -1 for a request that never entered a queue. */
  queue: Int32Array;
  seats: Int32Array;
  /** Event kind to fire on dispatch (arg 0) or queue timeout (arg -1). */
  kind: Int32Array;
  arrivalNs: Float64Array;
  /** Virtual time R at arrival, in seat-ns per queue. */
  arrivalR: Float64Array;
  startNs: Float64Array;

  constructor(initialCapacity = 1024) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.mask = cap - 1;
    this.id = new Int32Array(cap);
    this.state = new Uint8Array(cap);
    this.level = new Int32Array(cap);
    this.queue = new Int32Array(cap);
    this.seats = new Int32Array(cap);
    this.kind = new Int32Array(cap);
    this.arrivalNs = new Float64Array(cap);
    this.arrivalR = new Float64Array(cap);
    this.startNs = new Float64Array(cap);
  }

  /** The slot of live request `id`, or -1 if it is not waiting or executing. */
  find(id: number): number {
    const s = id & this.mask;
    return this.state[s] !== ReqState.free && this.id[s] === id ? s : -1;
  }

  /**
   * Claims a slot for a new request and returns it. Throws on a bad or live id.
   * The caller fills the columns and sets the state.
   */
  claim(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new RangeError(`bad request id ${id}`);
    let s = id & this.mask;
    while (this.state[s] !== ReqState.free) {
      if (this.id[s] === id) throw new RangeError(`request id ${id} is already in flight`);
      this.grow();
      s = id & this.mask;
    }
    this.id[s] = id;
    return s;
  }

  private grow(): void {
    const oldCap = this.mask + 1;
    const cap = oldCap * 2;
    const mask = cap - 1;
    const id = new Int32Array(cap);
    const state = new Uint8Array(cap);
    const level = new Int32Array(cap);
    const queue = new Int32Array(cap);
    const seats = new Int32Array(cap);
    const kind = new Int32Array(cap);
    const arrivalNs = new Float64Array(cap);
    const arrivalR = new Float64Array(cap);
    const startNs = new Float64Array(cap);
    for (let s = 0; s < oldCap; s++) {
      if (this.state[s] === ReqState.free) continue;
      const t = this.id[s]! & mask;
      id[t] = this.id[s]!;
      state[t] = this.state[s]!;
      level[t] = this.level[s]!;
      queue[t] = this.queue[s]!;
      seats[t] = this.seats[s]!;
      kind[t] = this.kind[s]!;
      arrivalNs[t] = this.arrivalNs[s]!;
      arrivalR[t] = this.arrivalR[s]!;
      startNs[t] = this.startNs[s]!;
    }
    this.mask = mask;
    this.id = id;
    this.state = state;
    this.level = level;
    this.queue = queue;
    this.seats = seats;
    this.kind = kind;
    this.arrivalNs = arrivalNs;
    this.arrivalR = arrivalR;
    this.startNs = startNs;
  }
}
