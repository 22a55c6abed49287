/** API verbs, with upstream spelling in `VERB_NAMES`. */
export const Verb = { create: 0, update: 1, patch: 2, get: 3, list: 4, delete: 5 } as const;
export type Verb = (typeof Verb)[keyof typeof Verb];
export const VERB_NAMES = ["create", "update", "patch", "get", "list", "delete"] as const;

/** Resources (and subresources) that requests address. */
export const Resource = {
  deployments: 0,
  replicasets: 1,
  pods: 2,
  podsBinding: 3,
  podsStatus: 4,
  replicasetsStatus: 5,
  deploymentsStatus: 6,
} as const;
export type Resource = (typeof Resource)[keyof typeof Resource];
export const RESOURCE_NAMES = [
  "deployments",
  "replicasets",
  "pods",
  "pods/binding",
  "pods/status",
  "replicasets/status",
  "deployments/status",
] as const;

/** Outcome codes, as HTTP status codes. */
export const Status = {
  pending: 0,
  ok: 200,
  created: 201,
  tooLarge: 413,
  tooManyRequests: 429,
  internalError: 500,
} as const;

/**
 * One row per API request, structure-of-arrays, growing by doubling. A request is identified by
 * its row index; every stage of its path stamps its time here, so api.arrow is these columns.
 */
export class RequestTable {
  private cap: number;
  private count = 0;
  client: Int32Array;
  verb: Uint8Array;
  resource: Uint8Array;
  /** Index of the object in its own table (pod, ReplicaSet, Deployment). */
  object: Int32Array;
  /** A second operand: the node of a binding, the phase of a status update. */
  operand: Float64Array;
  /** Object size in bytes (what etcd stores). */
  bytes: Int32Array;
  /** When the client decided to send (before its rate limiter). */
  submitNs: Float64Array;
  /** Time spent waiting in the client's token bucket. */
  limiterWaitNs: Float64Array;
  /** Time spent waiting for an API server seat. */
  seatWaitNs: Float64Array;
  /** Time from the proposal to etcd until its commit. */
  storageNs: Float64Array;
  /** When the response reached the client. */
  doneNs: Float64Array;
  status: Int16Array;
  /** APF priority level the request was classified into. */
  level: Int8Array;
  /** 1 for the first try; client-go retries a 429 as a new request with the next attempt. */
  attempt: Uint8Array;
  /** Event kind and target to notify the client on response (arg = request id). */
  replyKind: Int32Array;
  replyTarget: Int32Array;

  constructor(initialCapacity = 4096) {
    this.cap = initialCapacity;
    this.client = new Int32Array(this.cap);
    this.verb = new Uint8Array(this.cap);
    this.resource = new Uint8Array(this.cap);
    this.object = new Int32Array(this.cap);
    this.operand = new Float64Array(this.cap);
    this.bytes = new Int32Array(this.cap);
    this.submitNs = new Float64Array(this.cap);
    this.limiterWaitNs = new Float64Array(this.cap);
    this.seatWaitNs = new Float64Array(this.cap);
    this.storageNs = new Float64Array(this.cap);
    this.doneNs = new Float64Array(this.cap);
    this.status = new Int16Array(this.cap);
    this.level = new Int8Array(this.cap);
    this.attempt = new Uint8Array(this.cap);
    this.replyKind = new Int32Array(this.cap);
    this.replyTarget = new Int32Array(this.cap);
  }

  get size(): number {
    return this.count;
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
    if (this.count === this.cap) this.grow();
    const i = this.count++;
    this.client[i] = client;
    this.verb[i] = verb;
    this.resource[i] = resource;
    this.object[i] = object;
    this.operand[i] = operand;
    this.bytes[i] = bytes;
    this.submitNs[i] = nowNs;
    this.limiterWaitNs[i] = 0;
    this.seatWaitNs[i] = 0;
    this.storageNs[i] = NaN;
    this.doneNs[i] = NaN;
    this.status[i] = Status.pending;
    this.level[i] = -1;
    this.attempt[i] = 1;
    this.replyKind[i] = replyKind;
    this.replyTarget[i] = replyTarget;
    return i;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Int32Array | Uint8Array | Int8Array | Float64Array | Int16Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.client = g(this.client);
    this.verb = g(this.verb);
    this.resource = g(this.resource);
    this.object = g(this.object);
    this.operand = g(this.operand);
    this.bytes = g(this.bytes);
    this.submitNs = g(this.submitNs);
    this.limiterWaitNs = g(this.limiterWaitNs);
    this.seatWaitNs = g(this.seatWaitNs);
    this.storageNs = g(this.storageNs);
    this.doneNs = g(this.doneNs);
    this.status = g(this.status);
    this.level = g(this.level);
    this.attempt = g(this.attempt);
    this.replyKind = g(this.replyKind);
    this.replyTarget = g(this.replyTarget);
    this.cap = cap;
  }
}
