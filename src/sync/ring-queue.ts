/**
 * A growable FIFO of numbers in a ring buffer (Float64Array).
 * perf: push and shift are O(1) with no allocation until the ring doubles; never `splice`.
 */
export class RingQueue {
  private buf: Float64Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Float64Array(Math.max(4, initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  push(x: number): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) % this.buf.length] = x;
    this.count++;
  }

  /** Removes and returns the oldest value; the queue must not be empty. */
  shift(): number {
    if (this.count === 0) throw new RangeError("shift from an empty RingQueue");
    const x = this.buf[this.head]!;
    this.head = (this.head + 1) % this.buf.length;
    this.count--;
    return x;
  }

  /** The i-th oldest value (0 = next to shift). */
  at(i: number): number {
    return this.buf[(this.head + i) % this.buf.length]!;
  }

  private grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) % this.buf.length]!;
    this.buf = next;
    this.head = 0;
  }
}
