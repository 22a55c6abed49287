/**
 * Doubling growth for typed columns: a new array of `capacity` holding the old contents (and
 * `fill` in the new tail). perf: columns double, so appends are amortised O(1); never `splice`.
 */
export function growF64(a: Float64Array, capacity: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/** See {@link growF64}. */
export function growI32(a: Int32Array, capacity: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/** See {@link growF64}. */
export function growU8(a: Uint8Array, capacity: number, fill = 0): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(capacity);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}
