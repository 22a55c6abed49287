import type { Simulation } from "../sim/simulation.js";
import type { Column } from "./arrow-writer.js";

/**
 * nodes.arrow: the sampled node time series (src/node/node-sampler.ts), a row per node when a
 * sample first finds it and whenever a sample finds one of its values changed (values hold
 * until the node's next row). Columns: `time_ns`, `node` (dictionary), `cpu_requested_milli`,
 * `memory_requested_bytes` and `pods_admitted` (requests of the pods the kubelet admitted and
 * has not terminated), `pods_running`, `image_pulls_queued` (pulls waiting for the node's
 * puller: the serialized puller's queue depth), `image_pulls_active`, `pod_ips_used`,
 * `bytes_pulled` (cumulative), `ready`, `cordoned` and `present` (0/1: 0 on the row of a node
 * that left). Write it with `writeArrowColumns(path, columns, rows, meta)`.
 */
export function nodeColumns(sim: Simulation): { columns: Column[]; rows: number } {
  // perf: columns are views of the sampler's arrays: the writer copies what it converts and
  // uses the rest in place, and nothing changes them after the run.
  const s = sim.nodeSampler;
  const columns: Column[] = [
    s.arrow("timeNs", "int64", "time_ns"),
    s.arrow("node", "dict", "node", 0, sim.nodes.names),
    s.arrow("cpuMilli", "int64", "cpu_requested_milli"),
    s.arrow("memBytes", "int64", "memory_requested_bytes"),
    s.arrow("podsAdmitted", "int32", "pods_admitted"),
    s.arrow("podsRunning", "int32", "pods_running"),
    s.arrow("pullQueue", "int32", "image_pulls_queued"),
    s.arrow("pullsActive", "int32", "image_pulls_active"),
    s.arrow("ipsUsed", "int32", "pod_ips_used"),
    s.arrow("bytesPulled", "int64", "bytes_pulled"),
    s.arrow("ready", "int32", "ready"),
    s.arrow("cordoned", "int32", "cordoned"),
    s.arrow("present", "int32", "present"),
  ];
  return { columns, rows: s.size };
}

/**
 * The registry's sampled series, one row per sample: `time_ns`, `throughput_bytes_per_sec`,
 * `active_downloads`, `queued_downloads`.
 */
export function registryColumns(sim: Simulation): { columns: Column[]; rows: number } {
  const s = sim.nodeSampler.registrySamples;
  return {
    columns: [
      s.arrow("timeNs", "int64", "time_ns"),
      s.arrow("throughput", "float64", "throughput_bytes_per_sec"),
      s.arrow("activeFlows", "int32", "active_downloads"),
      s.arrow("waitingFlows", "int32", "queued_downloads"),
    ],
    rows: s.size,
  };
}
