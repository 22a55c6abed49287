import type { Component } from "./component.js";
import type { Engine, EventKind } from "./engine.js";
import { growF64, growI32 } from "./grow.js";
import { parseDurationNs } from "./time.js";

/**
 * A trace of the engine's events for people (events.arrow): one row per event dispatched with
 * `fromNs <= time < toNs`, in dispatch order, which is (time, sequence) order: time, the event
 * kind, its target and argument.
 *
 * Lifecycle: `start` makes the engine record into it ({@link Engine.startTrace}), `finish` stops
 * it. perf: rows append to four typed columns grown by doubling (28 bytes a row), nothing per event
 * otherwise; the window bounds what is kept.
 */
export class EventTrace implements Component {
  readonly name = "event-trace";
  readonly fromNs: number;
  readonly toNs: number;
  private readonly engine: Engine;
  private rows = 0;
  timeNs = new Float64Array(1024);
  kind = new Int32Array(1024);
  target = new Float64Array(1024);
  arg = new Float64Array(1024);

  /** Records the events of `engine` in `[fromNs, toNs)` (default: all of them). */
  constructor(engine: Engine, fromNs = 0, toNs = Infinity) {
    this.engine = engine;
    this.fromNs = fromNs;
    this.toNs = toNs;
  }

  /** Rows recorded. */
  get size(): number {
    return this.rows;
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
    if (this.rows === this.timeNs.length) {
      const cap = this.rows * 2;
      this.timeNs = growF64(this.timeNs, cap);
      this.kind = growI32(this.kind, cap);
      this.target = growF64(this.target, cap);
      this.arg = growF64(this.arg, cap);
    }
    const i = this.rows++;
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
