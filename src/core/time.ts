/**
 * Simulated time is integer nanoseconds held in a `number`: exact up to 2^53 ns, about 104 days,
 * far beyond any run. Integer time means two events can tie exactly, and ties are broken by
 * insertion order in the event queue, never by float rounding.
 */

/** Nanoseconds per unit, keyed by the suffix a scenario may write. */
export const NS_PER = {
  ns: 1,
  us: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  h: 3_600_000_000_000,
} as const;

export type DurationUnit = keyof typeof NS_PER;

const DURATION_RE = /^\s*([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*(ns|us|µs|ms|s|m|h)\s*$/;

/**
 * Parses `250us`, `5ms`, `2s`, `1.5m`, `2h` into integer nanoseconds (rounded to the nearest ns).
 * Returns `undefined` for anything else, so the caller can report what it expected.
 * A bare number is refused: a scenario must say its unit.
 */
export function parseDurationNs(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (m === null) return undefined;
  const unit = (m[2] === "µs" ? "us" : m[2]) as DurationUnit;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return undefined;
  return Math.round(value * NS_PER[unit]);
}

/** Formats nanoseconds for people: `1.23 s`, `4.5 ms`, `812 us`. */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs >= NS_PER.h) return `${(ns / NS_PER.h).toFixed(2)} h`;
  if (abs >= NS_PER.m) return `${(ns / NS_PER.m).toFixed(2)} min`;
  if (abs >= NS_PER.s) return `${(ns / NS_PER.s).toFixed(3)} s`;
  if (abs >= NS_PER.ms) return `${(ns / NS_PER.ms).toFixed(2)} ms`;
  if (abs >= NS_PER.us) return `${(ns / NS_PER.us).toFixed(1)} us`;
  return `${ns} ns`;
}

/** Seconds (possibly fractional) to integer nanoseconds. */
export function secondsToNs(s: number): number {
  return Math.round(s * NS_PER.s);
}
