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
 * webhook failure); null times mean the request never got that far. `requests` is 1, or the
 * number of requests an aggregate row of a background stream stands for (leases, nodes/status,
 * events: src/background), so the write mix per resource is the sum of `requests` by `resource`.
 */
export function apiColumns(sim: Simulation): { columns: Column[]; rows: number } {
  const r = sim.api.requests;
  return {
    rows: r.size,
    columns: [
      r.arrow("client", "dict", "client", 0, sim.clients.names),
      r.arrow("verb", "dict", "verb", 0, VERB_NAMES),
      r.arrow("resource", "dict", "resource", 0, RESOURCE_NAMES),
      r.arrow("object", "int32", "object"),
      r.arrow("level", "dict", "priority_level", 0, sim.api.apf[0]!.levelNames),
      r.arrow("attempt", "int32", "attempt"),
      r.arrow("submitNs", "int64", "submit_ns"),
      r.arrow("limiterWaitNs", "int64", "limiter_wait_ns"),
      r.arrow("seatWaitNs", "int64", "seat_wait_ns"),
      r.arrow("storageNs", "int64", "etcd_ns"),
      r.arrow("doneNs", "int64", "done_ns"),
      r.arrow("status", "int32", "status"),
      r.arrow("count", "int32", "requests"),
    ],
  };
}
