import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import { CountedResource } from "../sync/counted-resource.js";
import type { ApiServerSpec } from "../scenario/types.js";
import type { ApiClients } from "./clients.js";
import type { ObjectStore } from "./object-store.js";
import { type Resource, RequestTable, Status, Verb } from "./request-table.js";

/** What the API server needs from storage: etcd's propose, answered by an event. */
export interface Storage {
  /** Commits a write of `bytes`; fires `onCommit(requestId, revision)`, revision -1 on rejection. */
  propose(requestId: number, bytes: number, onCommit: EventKind): void;
}

/**
 * kube-apiserver at first fidelity: each request crosses the network, waits for a seat in the
 * mutating or read-only inflight pool, runs the handler chain (authn, authz, admission,
 * validation) as one latency, is committed by storage, applied to the object store (which
 * publishes to the watch cache), releases its seat and answers the client.
 * A client's own token bucket delays the request before it leaves the client.
 */
export class ApiServer {
  readonly requests = new RequestTable();
  readonly clients: ApiClients;
  private readonly engine: Engine;
  private readonly store: ObjectStore;
  private readonly storage: Storage;
  private readonly mutating: CountedResource;
  private readonly handler: Sampler;
  private readonly network: Sampler;
  private readonly kArrive: EventKind;
  private readonly kSeat: EventKind;
  private readonly kHandled: EventKind;
  private readonly kCommitted: EventKind;
  /** Time each request was granted its seat (to derive the seat wait). */
  private arrivedNs = new Float64Array(4096);

  constructor(engine: Engine, random: RandomStreams, spec: ApiServerSpec, clients: ApiClients, store: ObjectStore, storage: Storage) {
    this.engine = engine;
    this.clients = clients;
    this.store = store;
    this.storage = storage;
    // model: every replica enforces its own --max-mutating-requests-inflight; behind a load
    // balancer that spreads evenly, the cluster has replicas x the limit.
    this.mutating = new CountedResource(engine, spec.maxMutatingRequestsInflight * spec.replicas);
    this.handler = new Sampler(spec.handler, random.stream("apiserver/handler"));
    this.network = new Sampler(spec.network, random.stream("apiserver/network"));
    this.kArrive = engine.register("apiserver.arrive", (req) => this.onArrive(req));
    this.kSeat = engine.register("apiserver.seat", (req) => this.onSeat(req));
    this.kHandled = engine.register("apiserver.handled", (req) => this.onHandled(req));
    this.kCommitted = engine.register("apiserver.committed", (req, rev) => this.onCommitted(req, rev));
  }

  /**
   * Sends a write from `client`. The request waits in the client's limiter, travels to the
   * server and back; `replyKind(replyTarget, requestId)` fires when the response arrives.
   */
  submit(client: number, verb: Verb, resource: Resource, object: number, operand: number, bytes: number, replyKind: EventKind, replyTarget: number): number {
    const now = this.engine.now;
    const req = this.requests.add(client, verb, resource, object, operand, bytes, now, replyKind, replyTarget);
    const wait = this.clients.limiters[client]!.reserve(now);
    this.requests.limiterWaitNs[req] = wait;
    this.engine.schedule(wait + this.network.sample(), this.kArrive, req);
    return req;
  }

  private onArrive(req: number): void {
    if (req >= this.arrivedNs.length) {
      const next = new Float64Array(this.arrivedNs.length * 2);
      next.set(this.arrivedNs);
      this.arrivedNs = next;
    }
    this.arrivedNs[req] = this.engine.now;
    if (this.mutating.acquire(this.kSeat, req, 0)) this.onSeat(req);
  }

  private onSeat(req: number): void {
    this.requests.seatWaitNs[req] = this.engine.now - this.arrivedNs[req]!;
    this.engine.schedule(this.handler.sample(), this.kHandled, req);
  }

  private onHandled(req: number): void {
    this.requests.storageNs[req] = this.engine.now;
    this.storage.propose(req, this.requests.bytes[req]!, this.kCommitted);
  }

  private onCommitted(req: number, revision: number): void {
    const r = this.requests;
    r.storageNs[req] = this.engine.now - r.storageNs[req]!;
    if (revision < 0) {
      r.status[req] = Status.tooLarge;
    } else {
      r.status[req] = r.verb[req] === Verb.create ? Status.created : Status.ok;
      this.store.apply(r, req);
    }
    this.mutating.release();
    const back = this.network.sample();
    r.doneNs[req] = this.engine.now + back;
    this.engine.schedule(back, r.replyKind[req]! as EventKind, r.replyTarget[req]!, req);
  }
}
