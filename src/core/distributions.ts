import type { Rng } from "./random.js";

/** The 0.99 quantile of the standard normal distribution. */
export const Z_P99 = 2.3263478740408408;

/**
 * A latency (or any non-negative quantity) distribution, in integer units (nanoseconds for
 * latencies). Scenarios write these as `{ dist: lognormal, p50: 1ms, p99: 5ms }` and friends;
 * see `scenario/distribution.ts` for the YAML form.
 */
export type DistSpec =
  | { readonly kind: "constant"; readonly value: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "exponential"; readonly mean: number }
  /** Normal truncated at zero (redrawn while negative). */
  | { readonly kind: "normal"; readonly mean: number; readonly stddev: number }
  /** Lognormal fixed by its median and 99th percentile: mu = ln p50, sigma = ln(p99/p50)/z99. */
  | { readonly kind: "lognormal"; readonly p50: number; readonly p99: number }
  /** Piecewise-linear inverse CDF through (quantile, value) points, quantiles 0 and 1 included. */
  | { readonly kind: "empirical"; readonly quantiles: readonly number[]; readonly values: readonly number[] };

/**
 * Draws integer samples from a {@link DistSpec} using one random stream.
 * Every draw consumes a fixed number of uniforms per kind (two for normal and lognormal, one
 * otherwise, more only when a truncated normal redraws), which keeps streams aligned across
 * runs that differ elsewhere.
 */
export class Sampler {
  readonly spec: DistSpec;
  private readonly rng: Rng;
  private readonly a: number;
  private readonly b: number;

  constructor(spec: DistSpec, rng: Rng) {
    this.spec = spec;
    this.rng = rng;
    switch (spec.kind) {
      case "lognormal":
        this.a = Math.log(spec.p50);
        this.b = (Math.log(spec.p99) - Math.log(spec.p50)) / Z_P99;
        break;
      case "uniform":
        this.a = spec.min;
        this.b = spec.max - spec.min;
        break;
      default:
        this.a = 0;
        this.b = 0;
    }
  }

  /** One sample, rounded to an integer, never negative. */
  sample(): number {
    const s = this.spec;
    switch (s.kind) {
      case "constant":
        return s.value;
      case "uniform":
        return Math.round(this.a + this.b * this.rng.next());
      case "exponential":
        return Math.round(-s.mean * Math.log(1 - this.rng.next()));
      case "normal": {
        for (let i = 0; i < 64; i++) {
          const x = s.mean + s.stddev * this.standardNormal();
          if (x >= 0) return Math.round(x);
        }
        return 0;
      }
      case "lognormal":
        return Math.round(Math.exp(this.a + this.b * this.standardNormal()));
      case "empirical":
        return Math.round(empiricalQuantile(s.quantiles, s.values, this.rng.next()));
    }
  }

  /** Mean of the distribution (before rounding; truncation of the normal ignored). */
  mean(): number {
    const s = this.spec;
    switch (s.kind) {
      case "constant":
        return s.value;
      case "uniform":
        return (s.min + s.max) / 2;
      case "exponential":
        return s.mean;
      case "normal":
        return s.mean;
      case "lognormal":
        return Math.exp(this.a + (this.b * this.b) / 2);
      case "empirical": {
        let m = 0;
        for (let i = 1; i < s.quantiles.length; i++) {
          m += ((s.quantiles[i]! - s.quantiles[i - 1]!) * (s.values[i]! + s.values[i - 1]!)) / 2;
        }
        return m;
      }
    }
  }

  /** Box–Muller, using both uniforms of the pair and discarding the second normal. */
  private standardNormal(): number {
    const u1 = 1 - this.rng.next(); // (0, 1]: log is finite
    const u2 = this.rng.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** Linear interpolation of the inverse CDF at probability `u`. */
export function empiricalQuantile(quantiles: readonly number[], values: readonly number[], u: number): number {
  let i = 1;
  while (i < quantiles.length - 1 && quantiles[i]! < u) i++;
  const q0 = quantiles[i - 1]!;
  const q1 = quantiles[i]!;
  const v0 = values[i - 1]!;
  const v1 = values[i]!;
  return q1 === q0 ? v1 : v0 + ((u - q0) / (q1 - q0)) * (v1 - v0);
}

/** A constant distribution, for defaults written in code. */
export function constant(value: number): DistSpec {
  return { kind: "constant", value };
}

/** A lognormal distribution from its median and 99th percentile. */
export function lognormal(p50: number, p99: number): DistSpec {
  return { kind: "lognormal", p50, p99 };
}
