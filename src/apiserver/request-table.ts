import { columnTable } from "../core/column-table.js";
import { namesOf, type ValueOf } from "../core/names-of.js";

/** API verbs, with upstream spelling in `VERB_NAMES`. */
export const Verb = { create: 0, update: 1, patch: 2, get: 3, list: 4, delete: 5 } as const;
export type Verb = ValueOf<typeof Verb>;
export const VERB_NAMES = namesOf(Verb);

/** Resources (and subresources) that requests address. */
export const Resource = {
  deployments: 0,
  replicasets: 1,
  pods: 2,
  podsBinding: 3,
  podsStatus: 4,
  replicasetsStatus: 5,
  deploymentsStatus: 6,
  leases: 7,
  nodes: 8,
  nodesStatus: 9,
  events: 10,
  jobs: 11,
  jobsStatus: 12,
  podsEviction: 13,
  poddisruptionbudgetsStatus: 14,
  statefulsets: 15,
  statefulsetsStatus: 16,
  persistentvolumeclaims: 17,
  cronjobs: 18,
  cronjobsStatus: 19,
  deploymentsScale: 20,
  horizontalpodautoscalers: 21,
  horizontalpodautoscalersStatus: 22,
  daemonsets: 23,
  daemonsetsStatus: 24,
} as const;
export type Resource = ValueOf<typeof Resource>;
export const RESOURCE_NAMES = [
  "deployments",
  "replicasets",
  "pods",
  "pods/binding",
  "pods/status",
  "replicasets/status",
  "deployments/status",
  "leases",
  "nodes",
  "nodes/status",
  "events",
  "jobs",
  "jobs/status",
  "pods/eviction",
  "poddisruptionbudgets/status",
  "statefulsets",
  "statefulsets/status",
  "persistentvolumeclaims",
  "cronjobs",
  "cronjobs/status",
  "deployments/scale",
  "horizontalpodautoscalers",
  "horizontalpodautoscalers/status",
  "daemonsets",
  "daemonsets/status",
] as const;

/** Outcome codes, as HTTP status codes. */
export const Status = {
  pending: 0,
  ok: 200,
  created: 201,
  forbidden: 403,
  tooLarge: 413,
  tooManyRequests: 429,
  internalError: 500,
} as const;

/** model: (assumed) the body of a DELETE request (DeleteOptions), whoever sends it. */
export const DELETE_BYTES = 300;
/** model: (assumed) a status update body of a kube-controller-manager controller (a workload's status). */
export const STATUS_BYTES = 1_500;

/**
 * One row per API request, structure-of-arrays, growing by doubling. A request is identified by
 * its row index; every stage of its path stamps its time here, so api.arrow is these columns.
 */
export class RequestTable extends columnTable(
  {
    client: { type: "Int32", unset: -1 },
    verb: "Uint8",
    resource: "Uint8",
    /** Index of the object in its own table (pod, ReplicaSet, Deployment). */
    object: { type: "Int32", unset: -1 },
    /** A second operand: the node of a binding, the phase of a status update. */
    operand: "Float64",
    /** Object size in bytes (what etcd stores). */
    bytes: "Int32",
    /** When the client decided to send (before its rate limiter). */
    submitNs: { type: "Float64", unset: NaN },
    /** Time spent waiting in the client's token bucket. */
    limiterWaitNs: "Float64",
    /** When the request asked APF for a seat (NaN: not yet); the seat wait is measured from it. */
    seatAskNs: { type: "Float64", unset: NaN },
    /** Time spent waiting for an API server seat. */
    seatWaitNs: "Float64",
    /** Time from the proposal to etcd until its commit (NaN: not committed). */
    storageNs: { type: "Float64", unset: NaN },
    /** When the response reached the client (NaN: not yet). */
    doneNs: { type: "Float64", unset: NaN },
    status: { type: "Int16", unset: Status.pending },
    /** APF priority level the request was classified into (-1: not classified). */
    level: { type: "Int8", unset: -1 },
    /**
     * Requests the row stands for: 1, or k for an aggregate of k alike requests of a background
     * stream (src/background) that travel the path together.
     */
    count: { type: "Int32", unset: 1 },
    /** 1 for the first try; client-go retries a 429 as a new request with the next attempt. */
    attempt: { type: "Uint8", unset: 1 },
    /** Event kind and target to notify the client on response (arg = request id). */
    replyKind: "Int32",
    replyTarget: "Int32",
  },
  { appendOnly: true },
) {
  constructor(initialCapacity = 4096) {
    super(initialCapacity);
  }

  /** Appends a request row and returns its id. */
  add(
    client: number,
    verb: Verb,
    resource: Resource,
    object: number,
    operand: number,
    bytes: number,
    nowNs: number,
    replyKind: number,
    replyTarget: number,
  ): number {
    const i = this.addRow();
    this.client[i] = client;
    this.verb[i] = verb;
    this.resource[i] = resource;
    this.object[i] = object;
    this.operand[i] = operand;
    this.bytes[i] = bytes;
    this.submitNs[i] = nowNs;
    this.replyKind[i] = replyKind;
    this.replyTarget[i] = replyTarget;
    return i;
  }
}
