import { growF64 } from "../core/grow.js";

/**
 * A growable column of numbers (one per committed proposal: its commit latency).
 * Contract: values `[0, size)` of `values` are valid; `values` is replaced when it grows.
 */
export class FloatColumn {
  private count = 0;
  values: Float64Array;

  constructor(initialCapacity = 1024) {
    this.values = new Float64Array(Math.max(16, initialCapacity));
  }

  /** Values recorded. */
  get size(): number {
    return this.count;
  }

  /** Appends one value. */
  push(x: number): void {
    if (this.count === this.values.length) this.values = growF64(this.values, this.values.length * 2);
    this.values[this.count++] = x;
  }

  /** A view of the valid values. */
  view(): Float64Array {
    return this.values.subarray(0, this.count);
  }
}
