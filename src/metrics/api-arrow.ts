import { RESOURCE_NAMES, VERB_NAMES } from "../apiserver/request-table.js";
import type { Simulation } from "../sim/simulation.js";
import type { Column } from "./arrow-writer.js";

/**
 * api.arrow: one row per API request, in the order requests were made. Times are simulated
 * nanoseconds: `submit_ns` when the client decided to send, then how long it waited in its
 * own rate limiter, in API Priority and Fairness for a seat (`seat_wait_ns`) and for etcd, and
 * `done_ns` when the answer reached the client. `priority_level` is the APF level it was
 * classified into; a 429 is retried by the client as a new row with the next `attempt`.
 * `status` is the HTTP code (201 created, 200 ok, 413 too large, 429 too many requests, 500
 * webhook failure); null times mean the request never got that far.
 */
export function apiColumns(sim: Simulation): { columns: Column[]; rows: number } {
  const r = sim.api.requests;
  const n = r.size;
  // perf: a plain loop (Int32Array.from with a map callback costs ~40 ns per row).
  const asI32 = (a: ArrayLike<number>): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = a[i]!;
    return out;
  };
  return {
    rows: n,
    columns: [
      { name: "client", type: "dict", values: r.client.subarray(0, n), dictionary: sim.clients.names },
      { name: "verb", type: "dict", values: asI32(r.verb), dictionary: VERB_NAMES },
      { name: "resource", type: "dict", values: asI32(r.resource), dictionary: RESOURCE_NAMES },
      { name: "object", type: "int32", values: r.object.subarray(0, n) },
      { name: "priority_level", type: "dict", values: asI32(r.level), dictionary: sim.api.apf[0]!.levelNames },
      { name: "attempt", type: "int32", values: asI32(r.attempt) },
      { name: "submit_ns", type: "int64", values: r.submitNs },
      { name: "limiter_wait_ns", type: "int64", values: r.limiterWaitNs },
      { name: "seat_wait_ns", type: "int64", values: r.seatWaitNs },
      { name: "etcd_ns", type: "int64", values: r.storageNs },
      { name: "done_ns", type: "int64", values: r.doneNs },
      { name: "status", type: "int32", values: asI32(r.status) },
    ],
  };
}
