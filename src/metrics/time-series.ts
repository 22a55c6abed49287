import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { growF64 } from "../core/grow.js";
import type { Column } from "./arrow-writer.js";

/** A gauge read at every sample: a name for its column and how to read it now. */
export interface Gauge {
  name: string;
  read: () => number;
}

/**
 * Samples gauges (queue depths, pod counts) every `periodNs` of simulated time into typed
 * columns, for timeseries.arrow: levels over time, as opposed to per-event tallies.
 * It stops sampling when nothing else is pending, so it never keeps a finished run alive.
 */
export class TimeSeriesRecorder implements Component {
  readonly name = "time-series";
  readonly gauges: readonly Gauge[];
  readonly periodNs: number;
  private readonly engine: Engine;
  private readonly kSample: EventKind;
  private count = 0;
  timeNs = new Float64Array(256);
  values: Float64Array[];

  constructor(engine: Engine, periodNs: number, gauges: readonly Gauge[]) {
    this.engine = engine;
    this.periodNs = periodNs;
    this.gauges = gauges;
    this.values = gauges.map(() => new Float64Array(256));
    this.kSample = engine.register("metrics.sample", () => this.sample());
  }

  get size(): number {
    return this.count;
  }

  /** Takes the first sample at the current time and keeps sampling every period. */
  start(): void {
    this.engine.schedule(0, this.kSample);
  }

  private sample(): void {
    if (this.count === this.timeNs.length) {
      const cap = this.count * 2;
      this.timeNs = growF64(this.timeNs, cap);
      this.values = this.values.map((v) => growF64(v, cap));
    }
    const i = this.count++;
    this.timeNs[i] = this.engine.now;
    for (let g = 0; g < this.gauges.length; g++) this.values[g]![i] = this.gauges[g]!.read();
    if (this.engine.pending > 0) this.engine.schedule(this.periodNs, this.kSample);
  }
}

/** timeseries.arrow: `time_ns` then one float64 column per gauge. */
export function timeSeriesColumns(ts: TimeSeriesRecorder): { columns: Column[]; rows: number } {
  const columns: Column[] = [{ name: "time_ns", type: "int64", values: ts.timeNs }];
  for (let g = 0; g < ts.gauges.length; g++)
    columns.push({ name: ts.gauges[g]!.name, type: "float64", values: ts.values[g]! });
  return { columns, rows: ts.size };
}
