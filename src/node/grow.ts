/**
 * Doubling helpers for the typed columns of the node-side models (images, registry flows,
 * pulls). Each returns a new array of `capacity` holding the old contents.
 * perf: columns grow by doubling, so appends are amortised O(1) and never `splice`.
 */
export function growI32(a: Int32Array, capacity: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

/** See {@link growI32}. */
export function growF64(a: Float64Array, capacity: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

/** See {@link growI32}. */
export function growU8(a: Uint8Array, capacity: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(capacity);
  b.set(a);
  return b;
}
