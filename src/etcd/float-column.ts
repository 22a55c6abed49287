import { columnTable } from "../core/column-table.js";

/**
 * A growable column of numbers (one per committed proposal: its commit latency).
 * Contract: values `[0, size)` of `values` are valid; `values` is replaced when it grows.
 */
export class FloatColumn extends columnTable({ values: { type: "Float64", unset: NaN } }) {
  constructor(initialCapacity = 1024) {
    super(Math.max(16, initialCapacity));
  }

  /** Appends one value. */
  push(x: number): void {
    const i = this.addRow();
    this.values[i] = x;
  }
}
