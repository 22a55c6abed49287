import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { columnTable } from "../core/column-table.js";
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
export class TimeSeriesRecorder
  extends columnTable({
    timeNs: { type: "Float64", unset: NaN },
    /** One value per gauge per row: gauge g of row i at `i * gauges.length + g`. */
    values: { type: "Float64", unset: NaN },
  })
  implements Component
{
  readonly name = "time-series";
  readonly gauges: readonly Gauge[];
  readonly periodNs: number;
  private readonly engine: Engine;
  private readonly kSample: EventKind;

  constructor(engine: Engine, periodNs: number, gauges: readonly Gauge[]) {
    super(256, { values: Math.max(1, gauges.length) });
    this.engine = engine;
    this.periodNs = periodNs;
    this.gauges = gauges;
    this.kSample = engine.register("metrics.sample", () => this.sample());
  }

  /** Takes the first sample at the current time and keeps sampling every period. */
  start(): void {
    this.engine.schedule(0, this.kSample);
  }

  private sample(): void {
    const i = this.addRow();
    this.timeNs[i] = this.engine.now;
    const G = this.gauges.length;
    for (let g = 0; g < G; g++) this.values[i * G + g] = this.gauges[g]!.read();
    if (this.engine.pending > 0) this.engine.schedule(this.periodNs, this.kSample);
  }
}

/** timeseries.arrow: `time_ns` then one float64 column per gauge. */
export function timeSeriesColumns(ts: TimeSeriesRecorder): { columns: Column[]; rows: number } {
  const columns: Column[] = [ts.arrow("timeNs", "int64", "time_ns")];
  for (let g = 0; g < ts.gauges.length; g++) columns.push(ts.arrow("values", "float64", ts.gauges[g]!.name, g));
  return { columns, rows: ts.size };
}
