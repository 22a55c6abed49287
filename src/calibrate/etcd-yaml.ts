import type { DistSpec } from "../core/distributions.js";
import { ETCD_KEYS, type EtcdSpec } from "../scenario/sections/etcd.js";

/** A duration in the scenario syntax, exact to the nanosecond: `27.819us`, `850us`, `100ms`. */
function duration(ns: number): string {
  if (ns === 0) return "0s";
  if (ns % 1_000_000 === 0) return `${ns / 1_000_000}ms`;
  if (ns % 1000 === 0) return `${ns / 1000}us`;
  return `${(ns / 1000).toFixed(3)}us`;
}

/** A distribution in the scenario syntax (a bare duration for a constant). */
function dist(d: DistSpec): string {
  switch (d.kind) {
    case "constant":
      return duration(d.value);
    case "uniform":
      return `{ dist: uniform, min: ${duration(d.min)}, max: ${duration(d.max)} }`;
    case "exponential":
      return `{ dist: exponential, mean: ${duration(d.mean)} }`;
    case "normal":
      return `{ dist: normal, mean: ${duration(d.mean)}, stddev: ${duration(d.stddev)} }`;
    case "lognormal":
      return `{ dist: lognormal, p50: ${duration(d.p50)}, p99: ${duration(d.p99)} }`;
    case "empirical": {
      const q = d.quantiles.map((x, i) => `${x}: ${duration(d.values[i]!)}`).join(", ");
      return `{ dist: empirical, quantiles: { ${q} } }`;
    }
  }
}

/** Fields that are plain counts; the other numbers are durations or a bandwidth. */
const COUNTS: ReadonlySet<keyof EtcdSpec> = new Set(["members", "cpus", "backendBatchLimit", "benchmarkClientThreads"]);

/** Why each key has the value it has: fitted, tied to another, or fixed by the user. */
export type Provenance = Partial<Record<keyof EtcdSpec, string>>;

/**
 * The spec as a YAML mapping in the scenario's `etcd:` syntax, one key per line with its
 * provenance as a comment, usable verbatim as an etcd benchmark's `etcd:` section or a cluster
 * scenario's `controlPlane.etcd` (indent it under `controlPlane:`).
 */
export function etcdSpecYaml(spec: EtcdSpec, provenance: Provenance): string {
  const lines: string[] = [];
  for (const k of Object.keys(ETCD_KEYS) as (keyof EtcdSpec)[]) {
    const v = spec[k];
    let text: string;
    if (typeof v === "boolean" || COUNTS.has(k)) text = String(v);
    else if (k === "walWriteBandwidth") text = `${Math.round(v as number)}B/s`;
    else if (typeof v === "number") text = duration(v);
    else text = dist(v as DistSpec);
    const why = provenance[k];
    lines.push(`${ETCD_KEYS[k]}: ${text}${why === undefined ? "" : ` # ${why}`}`);
  }
  return `${lines.join("\n")}\n`;
}
