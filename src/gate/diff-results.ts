/** One difference between recorded and actual results, at a JSON path such as `results.api["get pods"].p99Ns`. */
export interface ResultDiff {
  path: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Compares two JSON values exactly (numbers with ===, key sets both ways, array lengths) and
 * returns every difference, at most `limit`. Empty means identical. The simulation is
 * deterministic on any machine, so no tolerance is applied: any change of behaviour shows.
 */
export function diffResults(expected: unknown, actual: unknown, path = "results", limit = 50): ResultDiff[] {
  const out: ResultDiff[] = [];
  walk(expected, actual, path, out, limit);
  return out;
}

function walk(e: unknown, a: unknown, path: string, out: ResultDiff[], limit: number): void {
  if (out.length >= limit) return;
  if (e === a) return;
  if (Array.isArray(e) && Array.isArray(a)) {
    if (e.length !== a.length) out.push({ path: `${path}.length`, expected: e.length, actual: a.length });
    const n = Math.min(e.length, a.length);
    for (let i = 0; i < n; i++) walk(e[i], a[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (isObject(e) && isObject(a)) {
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const k of [...keys].sort()) {
      const p = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (!(k in e)) out.push({ path: p, expected: undefined, actual: a[k] });
      else if (!(k in a)) out.push({ path: p, expected: e[k], actual: undefined });
      else walk(e[k], a[k], p, out, limit);
    }
    return;
  }
  out.push({ path, expected: e, actual: a });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
