import { columnTable } from "../../core/column-table.js";
import type { ValueOf } from "../../core/names-of.js";

/** A request slot's state. */
export const ReqState = { free: 0, waiting: 1, executing: 2 } as const;
export type ReqState = ValueOf<typeof ReqState>;

/**
 * Per-request APF state, structure-of-arrays, keyed by the caller's request id (a dense,
 * increasing integer below 2^31).
 *
 * A request lives in slot `id & mask`. perf: memory follows the span of ids in flight rather
 * than every id ever issued: when a new id's slot is still held by an older live request the
 * table doubles and re-slots the live rows (ids live at once differ modulo the old size, so they
 * never collide after doubling).
 */
export class RequestTable extends columnTable({
  /** Id owning each slot (valid when state != free). */
  id: { type: "Int32", unset: -1 },
  state: { type: "Uint8", unset: ReqState.free },
  level: "Int32",
  /** Global queue index, or -1 for a request that never entered a queue. */
  queue: "Int32",
  seats: "Int32",
  /** Event kind to fire on dispatch (arg 0) or queue timeout (arg -1). */
  kind: "Int32",
  arrivalNs: "Float64",
  /** Virtual time R at arrival, in seat-ns per queue. */
  arrivalR: "Float64",
  startNs: "Float64",
}) {
  mask: number;

  constructor(initialCapacity = 1024) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    super(cap);
    this.mask = cap - 1;
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
      this.regrow();
      s = id & this.mask;
    }
    this.id[s] = id;
    return s;
  }

  /** Doubles the table and re-slots the live rows under the new mask. */
  private regrow(): void {
    const oldCap = this.mask + 1;
    const mask = oldCap * 2 - 1;
    const old = this.replaceColumns(mask + 1);
    for (let s = 0; s < oldCap; s++) if (old.state[s] !== ReqState.free) this.copyRow(old, s, old.id[s]! & mask);
    this.mask = mask;
  }
}
