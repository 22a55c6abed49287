import type { Simulation } from "../sim/simulation.js";
import type { Column } from "./arrow-writer.js";

/**
 * nodes.arrow: the sampled node time series (src/node/node-sampler.ts), one row per present
 * node per sample. Columns: `time_ns`, `node` (dictionary), `cpu_requested_milli`,
 * `memory_requested_bytes` and `pods_admitted` (requests of the pods the kubelet admitted and
 * has not terminated), `pods_running`, `image_pulls_queued` (pulls waiting for the node's
 * puller: the serialized puller's queue depth), `image_pulls_active`, `pod_ips_used`,
 * `bytes_pulled` (cumulative), `ready` and `cordoned` (0/1). Write it with
 * `writeArrowFile(path, tableFromColumns(columns, rows, meta))`.
 */
export function nodeColumns(sim: Simulation): { columns: Column[]; rows: number } {
  // perf: columns are views of the sampler's arrays (subarray, not slice): the writer copies
  // what it converts and uses the rest in place, and nothing changes them after the run.
  const s = sim.nodeSampler;
  const n = s.size;
  const i32 = (a: Uint8Array) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = a[i]!;
    return out;
  };
  const columns: Column[] = [
    { name: "time_ns", type: "int64", values: s.timeNs.subarray(0, n) },
    { name: "node", type: "dict", values: s.node.subarray(0, n), dictionary: sim.nodes.names },
    { name: "cpu_requested_milli", type: "int64", values: s.cpuMilli.subarray(0, n) },
    { name: "memory_requested_bytes", type: "int64", values: s.memBytes.subarray(0, n) },
    { name: "pods_admitted", type: "int32", values: s.podsAdmitted.subarray(0, n) },
    { name: "pods_running", type: "int32", values: s.podsRunning.subarray(0, n) },
    { name: "image_pulls_queued", type: "int32", values: s.pullQueue.subarray(0, n) },
    { name: "image_pulls_active", type: "int32", values: s.pullsActive.subarray(0, n) },
    { name: "pod_ips_used", type: "int32", values: s.ipsUsed.subarray(0, n) },
    { name: "bytes_pulled", type: "int64", values: s.bytesPulled.subarray(0, n) },
    { name: "ready", type: "int32", values: i32(s.ready) },
    { name: "cordoned", type: "int32", values: i32(s.cordoned) },
  ];
  return { columns, rows: n };
}

/**
 * The registry's sampled series, one row per sample: `time_ns`, `throughput_bytes_per_sec`,
 * `active_downloads`, `queued_downloads`.
 */
export function registryColumns(sim: Simulation): { columns: Column[]; rows: number } {
  const s = sim.nodeSampler;
  const n = s.registryTimeNs.length;
  const active = Int32Array.from(s.registryActiveFlows);
  const waiting = Int32Array.from(s.registryWaitingFlows);
  return {
    columns: [
      { name: "time_ns", type: "int64", values: Float64Array.from(s.registryTimeNs) },
      { name: "throughput_bytes_per_sec", type: "float64", values: Float64Array.from(s.registryThroughput) },
      { name: "active_downloads", type: "int32", values: active },
      { name: "queued_downloads", type: "int32", values: waiting },
    ],
    rows: n,
  };
}
