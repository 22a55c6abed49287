import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";

/**
 * When the requests of an aggregate stream are due, by tick: ids (nodes) filed under the tick
 * nearest their due time, taken together when the tick comes. One engine event per tick while
 * anything is filed, whatever the number of ids: the O(ticks) cost of an aggregate stream.
 *
 * Contract: `add(id, dueNs)` files `id` under tick round(dueNs / tickNs), or the next tick not
 * yet taken if that one has passed; due times must lie within `horizonNs` of now. The
 * owner's handler for `kind` calls {@link take} once per firing; the returned list is valid
 * until the owner's next `add` to the same tick, so the owner reads it, then calls
 * {@link done}.
 * perf: a ring of tick slots, each a reused array: no allocation per tick once warm.
 * model: each stream ticks at its own phase within the tick, so that the streams' aggregates do
 * not all reach the API server's cores and etcd's Readies at the same instants (their requests,
 * one by one, would not).
 */
export class TickCalendar {
  readonly tickNs: number;
  /** Ticks fall at phaseNs + n * tickNs. */
  readonly phaseNs: number;
  private readonly engine: Engine;
  private readonly kind: EventKind;
  private readonly name: string;
  private readonly slots: number[][];
  /** The next tick index not yet taken. */
  private next = 0;
  private filed = 0;
  private armed = false;

  constructor(engine: Engine, name: string, tickNs: number, horizonNs: number, kind: EventKind, phaseNs = 0) {
    if (!(phaseNs >= 0 && phaseNs < tickNs))
      throw new RangeError(`${name}: tick phase ${phaseNs} not in [0, ${tickNs})`);
    this.engine = engine;
    this.name = name;
    this.tickNs = tickNs;
    this.phaseNs = phaseNs;
    this.kind = kind;
    const n = Math.ceil(horizonNs / tickNs) + 3;
    this.slots = [];
    for (let i = 0; i < n; i++) this.slots.push([]);
    this.next = Math.max(0, Math.ceil((engine.now - phaseNs) / tickNs));
  }

  /** Files `id` under the tick nearest `dueNs` (or the next tick to come). */
  add(id: number, dueNs: number): void {
    if (!this.armed) {
      // No tick is pending, so none before now can still be taken.
      const first = Math.ceil((this.engine.now - this.phaseNs) / this.tickNs);
      if (first > this.next) this.next = first;
    }
    let t = Math.round((dueNs - this.phaseNs) / this.tickNs);
    if (t < this.next) t = this.next;
    if (t - this.next >= this.slots.length)
      throw new SimulationError(this.name, this.engine.now, `due time ${dueNs} past the calendar's horizon`);
    this.slots[t % this.slots.length]!.push(id);
    this.filed++;
    this.arm();
  }

  /** The ids filed under the tick firing now; call {@link done} once they are read. */
  take(): readonly number[] {
    this.armed = false;
    const t = Math.round((this.engine.now - this.phaseNs) / this.tickNs);
    if (t !== this.next)
      throw new SimulationError(this.name, this.engine.now, `tick ${t} fired, ${this.next} expected`);
    this.next = t + 1;
    return this.slots[t % this.slots.length]!;
  }

  /** Empties the slot just taken and arms the next tick if anything is still filed. */
  done(): void {
    const slot = this.slots[(this.next - 1) % this.slots.length]!;
    this.filed -= slot.length;
    slot.length = 0;
    this.arm();
  }

  private arm(): void {
    if (this.armed || this.filed === 0) return;
    this.armed = true;
    this.engine.scheduleAt(this.phaseNs + this.next * this.tickNs, this.kind);
  }
}
