/** Copies `a` into a new Float64Array of capacity `cap` (>= a.length). perf: used only when doubling. */
export function growF64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** Copies `a` into a new Int32Array of capacity `cap` (>= a.length). perf: used only when doubling. */
export function growI32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Copies `a` into a new Uint8Array of capacity `cap` (>= a.length). perf: used only when doubling. */
export function growU8(a: Uint8Array, cap: number): Uint8Array {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}
