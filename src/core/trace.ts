import type { Component } from "./component.js";
import type { Engine, EventKind } from "./engine.js";
import { columnTable } from "./column-table.js";
import { parseDurationNs } from "./time.js";

/**
 * A trace of the engine's events for people (events.arrow): one row per event dispatched with
 * `fromNs <= time < toNs`, in dispatch order, which is (time, sequence) order: time, the event
 * kind, its target and argument.
 *
 * Lifecycle: `start` makes the engine record into it ({@link Engine.startTrace}), `finish` stops
 * it. perf: rows append to four declared typed columns (28 bytes a row), nothing per event
 * otherwise; the window bounds what is kept.
 */
export class EventTrace
  extends columnTable({
    timeNs: { type: "Float64", unset: NaN },
    kind: { type: "Int32", unset: -1 },
    target: "Float64",
    arg: "Float64",
  })
  implements Component
{
  readonly name = "event-trace";
  readonly fromNs: number;
  readonly toNs: number;
  private readonly engine: Engine;

  /** Records the events of `engine` in `[fromNs, toNs)` (default: all of them). */
  constructor(engine: Engine, fromNs = 0, toNs = Infinity) {
    super(1024);
    this.engine = engine;
    this.fromNs = fromNs;
    this.toNs = toNs;
  }

  start(): void {
    this.engine.startTrace(this);
  }

  finish(): void {
    this.engine.stopTrace();
  }

  /** Appends an event about to be dispatched at `timeNs`, if inside the window (called by the engine). */
  record(timeNs: number, kind: EventKind, target: number, arg: number): void {
    if (timeNs < this.fromNs || timeNs >= this.toNs) return;
    const i = this.addRow();
    this.timeNs[i] = timeNs;
    this.kind[i] = kind;
    this.target[i] = target;
    this.arg[i] = arg;
  }
}

/** A trace window in simulated nanoseconds: events with `fromNs <= time < toNs`. */
export interface TraceWindow {
  fromNs: number;
  toNs: number;
}

const WINDOW_RE = /^\s*(.+?(?:ns|us|µs|ms|s|m|h))\s*-\s*(.+)$/;

/**
 * Parses a trace window `FROM-TO` written in scenario duration units (`10s-20s`, `90s-2m`,
 * `0s-500ms`): the events with FROM <= time < TO. Returns a message saying what was expected
 * when `text` is not one.
 */
export function parseTraceWindow(text: string): TraceWindow | string {
  const expected = `expected FROM-TO in duration units (e.g. 10s-20s), found "${text}"`;
  const m = WINDOW_RE.exec(text);
  if (m === null) return expected;
  const fromNs = parseDurationNs(m[1]!);
  const toNs = parseDurationNs(m[2]!);
  if (fromNs === undefined || toNs === undefined) return expected;
  if (!(fromNs < toNs)) return `expected FROM before TO, found "${text}"`;
  return { fromNs, toNs };
}
