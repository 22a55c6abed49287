import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import { HostCpu } from "../sync/host-cpu.js";
import { classify, type Classification, type RequestAttributes } from "./flowcontrol/classify.js";
import { PriorityAndFairness } from "./flowcontrol/priority-and-fairness.js";
import { listSeats } from "./flowcontrol/work-estimate.js";
import type { ResourceQuotas } from "./resource-quotas.js";
import type { ApiServerSpec, WebhookSpec } from "../scenario/sections/api-server.js";
import type { ApiClients } from "./clients.js";
import type { ObjectStore } from "./object-store.js";
import { Resource, RESOURCE_NAMES, RequestTable, Status, Verb, VERB_NAMES } from "./request-table.js";

/** model: client-go rest/request.go: a request is retried at most maxRetries = 10 times on 429. */
const MAX_RETRIES = 10;
/**
 * model: the API server answers an APF rejection with a Retry-After that starts at 1 s and
 * grows under sustained drops (util/flowcontrol/dropped_requests_tracker.go, up to 32 s); we
 * keep its floor of 1 s, which client-go honours before retrying.
 */
const RETRY_AFTER_NS = 1 * NS_PER.s;

/** What API Priority and Fairness sees of each resource. */
const RESOURCE_ATTRIBUTES: Record<Resource, Omit<RequestAttributes, "verb">> = {
  [Resource.deployments]: { apiGroup: "apps", resource: "deployments", namespace: "default" },
  [Resource.replicasets]: { apiGroup: "apps", resource: "replicasets", namespace: "default" },
  [Resource.pods]: { apiGroup: "", resource: "pods", namespace: "default" },
  [Resource.podsBinding]: { apiGroup: "", resource: "pods", subresource: "binding", namespace: "default" },
  [Resource.podsStatus]: { apiGroup: "", resource: "pods", subresource: "status", namespace: "default" },
  [Resource.replicasetsStatus]: {
    apiGroup: "apps",
    resource: "replicasets",
    subresource: "status",
    namespace: "default",
  },
  [Resource.deploymentsStatus]: {
    apiGroup: "apps",
    resource: "deployments",
    subresource: "status",
    namespace: "default",
  },
  [Resource.jobs]: { apiGroup: "batch", resource: "jobs", namespace: "default" },
  [Resource.jobsStatus]: { apiGroup: "batch", resource: "jobs", subresource: "status", namespace: "default" },
  [Resource.statefulsets]: { apiGroup: "apps", resource: "statefulsets", namespace: "default" },
  [Resource.statefulsetsStatus]: {
    apiGroup: "apps",
    resource: "statefulsets",
    subresource: "status",
    namespace: "default",
  },
  [Resource.persistentvolumeclaims]: { apiGroup: "", resource: "persistentvolumeclaims", namespace: "default" },
  [Resource.cronjobs]: { apiGroup: "batch", resource: "cronjobs", namespace: "default" },
  [Resource.cronjobsStatus]: { apiGroup: "batch", resource: "cronjobs", subresource: "status", namespace: "default" },
  // model: node Leases live in kube-node-lease (pkg/kubelet/kubelet.go, corev1.NamespaceNodeLease),
  // leader-election Leases in kube-system; both match their FlowSchemas' rules (namespaces "*").
  [Resource.leases]: { apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease" },
  [Resource.nodes]: { apiGroup: "", resource: "nodes" },
  [Resource.nodesStatus]: { apiGroup: "", resource: "nodes", subresource: "status" },
  [Resource.events]: { apiGroup: "", resource: "events", namespace: "default" },
  [Resource.podsEviction]: { apiGroup: "", resource: "pods", subresource: "eviction", namespace: "default" },
  [Resource.poddisruptionbudgetsStatus]: {
    apiGroup: "policy",
    resource: "poddisruptionbudgets",
    subresource: "status",
    namespace: "default",
  },
  [Resource.deploymentsScale]: {
    apiGroup: "apps",
    resource: "deployments",
    subresource: "scale",
    namespace: "default",
  },
  [Resource.horizontalpodautoscalers]: {
    apiGroup: "autoscaling",
    resource: "horizontalpodautoscalers",
    namespace: "default",
  },
  [Resource.horizontalpodautoscalersStatus]: {
    apiGroup: "autoscaling",
    resource: "horizontalpodautoscalers",
    subresource: "status",
    namespace: "default",
  },
  [Resource.daemonsets]: { apiGroup: "apps", resource: "daemonsets", namespace: "default" },
  [Resource.daemonsetsStatus]: {
    apiGroup: "apps",
    resource: "daemonsets",
    subresource: "status",
    namespace: "default",
  },
};

/**
 * The Eviction API's admission of one eviction (pkg/registry/core/pod/storage/eviction.go):
 * `Status.ok` to go on and delete the pod gracefully, or the refusal's status code.
 */
export interface EvictionPolicy {
  admitEviction(pod: number): number;
}

/** What the API server needs from storage: etcd's propose, answered by an event. */
export interface Storage {
  /** Commits a write of `bytes`; fires `onCommit(requestId, revision)`, revision -1 on rejection. */
  propose(requestId: number, bytes: number, onCommit: EventKind): void;
  /** Commits `entries` writes of `bytes` each as consecutive proposals; fires `onCommit` once, for the last. */
  proposeGroup(requestId: number, entries: number, bytes: number, onCommit: EventKind): void;
}

/** A webhook as the server calls it: its samplers and its own random stream for failures. */
interface Webhook {
  spec: WebhookSpec;
  /** Bit r set: intercepts Resource r; bit v of `verbs`: intercepts Verb v. */
  resources: number;
  verbs: number;
  latency: Sampler;
  failures: Rng;
}

/** The cores of each API server replica, `spec.cpus` each, shared by its handlers and its watch fan-out. */
export function apiServerCpus(spec: ApiServerSpec): HostCpu[] {
  const cpus: HostCpu[] = [];
  for (let i = 0; i < spec.replicas; i++) cpus.push(new HostCpu(`kube-apiserver-${i}`, spec.cpus));
  return cpus;
}

/**
 * kube-apiserver's request path, in upstream's handler-chain order.
 *
 * A request first waits in its client's token bucket, crosses the network and is
 * authenticated; then API Priority and Fairness of its replica classifies it into a priority
 * level and flow, and it waits in a fair queue for a seat, or is rejected with 429 (client-go
 * then retries it after Retry-After, as a new request); holding the seat it
 * is authorized, its body decoded, passes the mutating then the validating admission webhooks
 * (each with its latency, timeout and failurePolicy), is validated and its response encoded,
 * is written to etcd and applied to the object store (which publishes it to the watch cache);
 * then the seat is released and the answer travels back. Each client's connection stays on one
 * replica.
 *
 * model: authentication, authorization, decode, in-process admission and validation, and
 * encode are CPU: bursts on the replica's cores ({@link HostCpu}), so latency grows when the
 * cores are busy; webhooks are remote calls that hold the seat but no core. server/config.go
 * DefaultBuildHandlerChain wraps WithPriorityAndFairness inside WithAuthentication, so a
 * request is authenticated before it asks for a seat and authorized while holding it. The
 * response is encoded before the storage write (upstream encodes after it) so that the seat is
 * released when its work ends, at no extra event; the CPU and the latency it adds are the same.
 * `replyKind(replyTarget, requestId)` fires when the client has the answer.
 */
export class ApiServer {
  readonly requests = new RequestTable();
  readonly clients: ApiClients;
  private readonly engine: Engine;
  private readonly store: ObjectStore;
  private readonly storage: Storage;
  private readonly spec: ApiServerSpec;
  /** API Priority and Fairness, one per replica (each enforces its own inflight limits). */
  readonly apf: PriorityAndFairness[] = [];
  /** The cores of each replica ({@link apiServerCpus}), shared with the watch cache's fan-out. */
  readonly cpus: readonly HostCpu[];
  /** Classification by (client, verb, resource), computed once. */
  private readonly classes = new Map<number, Classification>();
  private readonly authentication: Sampler;
  private readonly authorization: Sampler;
  private readonly validation: Sampler;
  private readonly network: Sampler;
  private readonly webhooks: Webhook[];
  private readonly kReleased: EventKind;
  private readonly kAuthenticated: EventKind;
  private readonly kDispatched: EventKind;
  private readonly kRetry: EventKind;
  private readonly kHandled: EventKind;
  private readonly kRejected: EventKind;
  private readonly kCommitted: EventKind;
  /** Requests rejected by a failing webhook. */
  webhookRejections = 0;
  /** Decides pods/eviction creates (the disruption budgets); every eviction is allowed without it. */
  private evictions: EvictionPolicy | undefined;
  /** The ResourceQuota admission plugin (undefined when no namespace has a quota). */
  private readonly quotas: ResourceQuotas | undefined;

  constructor(
    engine: Engine,
    random: RandomStreams,
    spec: ApiServerSpec,
    clients: ApiClients,
    store: ObjectStore,
    storage: Storage,
    cpus: readonly HostCpu[],
    quotas?: ResourceQuotas,
  ) {
    if (cpus.length !== spec.replicas)
      throw new RangeError(`apiserver: ${cpus.length} CPUs given for ${spec.replicas} replicas`);
    this.engine = engine;
    this.cpus = cpus;
    this.clients = clients;
    this.store = store;
    this.storage = storage;
    this.quotas = quotas;
    this.spec = spec;
    for (let i = 0; i < spec.replicas; i++) {
      this.apf.push(
        new PriorityAndFairness(engine, {
          maxRequestsInflight: spec.maxRequestsInflight,
          maxMutatingRequestsInflight: spec.maxMutatingRequestsInflight,
        }),
      );
    }
    this.authentication = new Sampler(spec.authentication, random.stream("apiserver/authentication"));
    this.authorization = new Sampler(spec.authorization, random.stream("apiserver/authorization"));
    this.validation = new Sampler(spec.validation, random.stream("apiserver/validation"));
    this.network = new Sampler(spec.network, random.stream("apiserver/network"));
    // model: mutating webhooks run first, in order, then validating ones (apiserver admission chain).
    const ordered = [
      ...spec.webhooks.filter((w) => w.type === "mutating"),
      ...spec.webhooks.filter((w) => w.type === "validating"),
    ];
    const OPERATION_VERBS = {
      CREATE: [Verb.create],
      UPDATE: [Verb.update, Verb.patch],
      DELETE: [Verb.delete],
    } as const;
    this.webhooks = ordered.map((w) => ({
      spec: w,
      resources: w.resources.reduce(
        (bits, r) => bits | (1 << RESOURCE_NAMES.indexOf(r as (typeof RESOURCE_NAMES)[number])),
        0,
      ),
      verbs: w.operations.reduce((bits, o) => OPERATION_VERBS[o].reduce((b, v) => b | (1 << v), bits), 0),
      latency: new Sampler(w.latency, random.stream(`apiserver/webhook/${w.name}`)),
      failures: random.stream(`apiserver/webhook/${w.name}/failures`),
    }));
    this.kReleased = engine.register("apiserver.client.released", (req) => this.send(req));
    this.kAuthenticated = engine.register("apiserver.authenticated", (req) => this.onAuthenticated(req));
    this.kDispatched = engine.register("apiserver.apf.dispatched", (req, code) =>
      code === 0 ? this.onSeat(req) : this.reject429(req),
    );
    this.kRetry = engine.register("apiserver.client.retry", (req) => this.retry(req));
    this.kHandled = engine.register("apiserver.handled", (req) => this.onHandled(req));
    this.kRejected = engine.register("apiserver.rejected", (req) => this.respond(req, Status.internalError));
    this.kCommitted = engine.register("apiserver.committed", (req, rev) => this.onCommitted(req, rev));
  }

  /** Attaches the Eviction API's PodDisruptionBudget check (the assembly builds it after the server). */
  attachEvictionPolicy(policy: EvictionPolicy): void {
    this.evictions = policy;
  }

  /**
   * Sends a write from `client`. The request waits in the client's limiter, travels to the
   * server and back; `replyKind(replyTarget, requestId)` fires when the response arrives.
   */
  submit(
    client: number,
    verb: Verb,
    resource: Resource,
    object: number,
    operand: number,
    bytes: number,
    replyKind: EventKind,
    replyTarget: number,
  ): number {
    const now = this.engine.now;
    const req = this.requests.add(client, verb, resource, object, operand, bytes, now, replyKind, replyTarget);
    const wait = this.clients.limiters[client]!.reserve(now);
    this.requests.limiterWaitNs[req] = wait;
    // A throttled request reserves no core until its client sends it: a burst booked seconds
    // ahead would hold a core from then on for every burst submitted before it.
    if (wait > 0) this.engine.schedule(wait, this.kReleased, req);
    else this.send(req);
    return req;
  }

  /**
   * Sends `count` alike requests of a background stream from `client` as one row that travels
   * the path together (src/background: an aggregate stream). `replyKind(replyTarget, row)`
   * fires once, when the last of them is answered.
   *
   * model: an aggregate stands for `count` requests that different clients (kubelets) send
   * within one tick of their stream. Each of its CPU stages runs `count` bursts on the
   * replica's cores (so they spread over cores as the single requests would); it asks APF for
   * min(count, level's limit) seats, held until its last write is applied, which is the seat
   * time of `count` requests that overlap; etcd takes its writes as `count` proposals in one
   * step (EtcdCluster.proposeGroup), so they share Readies and fsyncs as requests arriving
   * together do. What it does not keep: the clients' own token buckets (a Lease renewal every
   * 10 s is far below a kubelet's 50 qps), the fair queuing among the clients' flows (the
   * aggregate is one flow, `client`'s), and the spread of sends within the tick.
   */
  submitGroup(
    client: number,
    verb: Verb,
    resource: Resource,
    count: number,
    bytes: number,
    replyKind: EventKind,
    replyTarget: number,
  ): number {
    if (!(count >= 1) || !Number.isInteger(count)) throw new RangeError(`apiserver: a group of ${count} requests`);
    const req = this.requests.add(client, verb, resource, -1, 0, bytes, this.engine.now, replyKind, replyTarget);
    this.requests.count[req] = count;
    this.send(req);
    return req;
  }

  /**
   * Sends a LIST of `resource` (`objects` objects) from `client`, served from the watch cache
   * with `cpuNs` of work on the replica's cores; `replyKind(target, requestId)` fires when the
   * client has the answer. It waits in the client's limiter and asks APF for as many seats as
   * its object count calls for.
   */
  list(
    client: number,
    resource: Resource,
    objects: number,
    cpuNs: number,
    replyKind: EventKind,
    target: number,
  ): number {
    return this.submit(client, Verb.list, resource, objects, cpuNs, 0, replyKind, target);
  }

  /**
   * The client sends the request now: it crosses the network and is authenticated on its
   * replica's cores, booked at its arrival (HostCpu: a ready time one network hop ahead).
   */
  private send(req: number): void {
    const arrival = this.engine.now + this.network.sample();
    const cpu = this.cpuOf(req);
    // model: an aggregate's requests draw one sample per stage between them (the mean holds;
    // perf: no draw per member).
    const done = cpu.runMany(arrival, this.authentication.sample(), this.requests.count[req]!);
    this.engine.scheduleAt(done, this.kAuthenticated, req);
  }

  private onAuthenticated(req: number): void {
    this.requests.seatAskNs[req] = this.engine.now;
    const c = this.classOf(req);
    this.requests.level[req] = c.level;
    const apf = this.replicaApf(req);
    const count = this.requests.count[req]!;
    const limit = apf.concurrencyLimit(c.level);
    // model: list_work_estimator.go: a LIST served from the watch cache takes
    // ceil(objects / 100) seats, at most the level's maxSeats; other requests take 1.
    const seats =
      this.requests.verb[req] === Verb.list
        ? listSeats(this.requests.object[req]!, apf.maxSeats(c.level))
        : count === 1
          ? 1
          : Math.max(1, Math.min(count, limit));
    const outcome = apf.admit(req, c.level, c.flowHash, seats, this.kDispatched);
    if (outcome === "dispatched") this.onSeat(req);
    else if (outcome === "rejected") this.reject429(req);
  }

  /** Classifies a request by who sends it and what it addresses, as the default FlowSchemas do. */
  private classOf(req: number): Classification {
    const r = this.requests;
    // Clients of one user (a kubelet's and its event recorder's) share their classification.
    // Up to 32 resources (a Resource code and a verb share the low byte).
    const key = this.clients.userIds[r.client[req]!]! * 256 + r.verb[req]! * 32 + r.resource[req]!;
    let c = this.classes.get(key);
    if (c === undefined) {
      const attributes: RequestAttributes = {
        verb: VERB_NAMES[r.verb[req]!]!,
        ...RESOURCE_ATTRIBUTES[r.resource[req] as Resource],
      };
      c = classify(this.clients.identities[r.client[req]!]!, attributes);
      this.classes.set(key, c);
    }
    return c;
  }

  /**
   * A 429 from APF (queue full, or waited past the queue wait limit). client-go retries after
   * Retry-After, through its rate limiter again; the retry is a new request row.
   */
  private reject429(req: number): void {
    const r = this.requests;
    r.status[req] = Status.tooManyRequests;
    const back = this.network.sample();
    r.doneNs[req] = this.engine.now + back;
    if (r.attempt[req]! > MAX_RETRIES) {
      this.engine.schedule(back, r.replyKind[req]! as EventKind, r.replyTarget[req]!, req);
      return;
    }
    this.engine.schedule(back + RETRY_AFTER_NS, this.kRetry, req);
  }

  private retry(prev: number): void {
    const r = this.requests;
    const count = r.count[prev]!;
    const req =
      count > 1
        ? this.submitGroup(
            r.client[prev]!,
            r.verb[prev]! as Verb,
            r.resource[prev]! as Resource,
            count,
            r.bytes[prev]!,
            r.replyKind[prev]! as EventKind,
            r.replyTarget[prev]!,
          )
        : this.submit(
            r.client[prev]!,
            r.verb[prev]! as Verb,
            r.resource[prev]! as Resource,
            r.object[prev]!,
            r.operand[prev]!,
            r.bytes[prev]!,
            r.replyKind[prev]! as EventKind,
            r.replyTarget[prev]!,
          );
    r.attempt[req] = r.attempt[prev]! + 1;
  }

  /**
   * Holding a seat: authorization and decode, admission webhooks, validation and encode, then
   * storage. The handler goroutine's CPU stages run back to back as one burst; a webhook call
   * splits them, the next burst ready when the call returns (HostCpu: a serial goroutine's next
   * burst), so the whole path costs one event.
   */
  private onSeat(req: number): void {
    const r = this.requests;
    const now = this.engine.now;
    r.seatWaitNs[req] = now - r.seatAskNs[req]!;
    const cpu = this.cpuOf(req);
    const pass = this.codecPassNs(req);
    if (r.count[req]! > 1) {
      this.onGroupSeat(req, cpu, pass);
      return;
    }
    let t = now;
    // A LIST's serving work (its objects from the cache, encoded) is its operand.
    let cpuNs = this.authorization.sample() + pass + (r.verb[req] === Verb.list ? r.operand[req]! : 0);
    const resourceBit = 1 << r.resource[req]!;
    const verbBit = 1 << r.verb[req]!;
    for (let i = 0; i < this.webhooks.length; i++) {
      const w = this.webhooks[i]!;
      if ((w.resources & resourceBit) === 0 || (w.verbs & verbBit) === 0) continue;
      if (cpuNs > 0) {
        t = cpu.run(t, cpuNs);
        cpuNs = 0;
      }
      const latency = w.latency.sample();
      const failed = latency > w.spec.timeoutNs || w.failures.next() < w.spec.failureRate;
      t += Math.min(latency, w.spec.timeoutNs);
      // model: failurePolicy Fail turns a failed call into a rejection of the request (HTTP 500,
      // "failed calling webhook"); Ignore skips the webhook.
      if (failed && w.spec.failurePolicy === "Fail") {
        this.webhookRejections++;
        this.engine.scheduleAt(t, this.kRejected, req);
        return;
      }
    }
    t = cpu.run(t, cpuNs + this.validation.sample() + pass);
    this.engine.scheduleAt(t, this.kHandled, req);
  }

  /**
   * An aggregate's handlers: one authorization, validation and codec burst per request it
   * stands for, all ready now, so they spread over the replica's cores.
   * model: a group's admission webhooks are not called (background streams are not a
   * webhook's business in any scenario we ship; scenario webhooks name foreground resources).
   */
  private onGroupSeat(req: number, cpu: HostCpu, pass: number): void {
    const cost = this.authorization.sample() + this.validation.sample() + 2 * pass;
    this.engine.scheduleAt(cpu.runMany(this.engine.now, cost, this.requests.count[req]!), this.kHandled, req);
  }

  private onHandled(req: number): void {
    const r = this.requests;
    const verb = r.verb[req]!;
    // model: a GET or LIST is served from the watch cache (resourceVersion "0", as kubelets and
    // informers ask): no storage round trip.
    if (verb === Verb.get || verb === Verb.list) {
      this.respond(req, Status.ok);
      return;
    }
    if (r.resource[req] === Resource.podsEviction && this.evictions !== undefined) {
      // model: eviction.go checks the pod's PodDisruptionBudget before it deletes the pod; a
      // refusal (429 TooManyRequests, 500 for several budgets) writes nothing.
      const code = this.evictions.admitEviction(r.object[req]!);
      if (code !== Status.ok) {
        this.respond(req, code);
        return;
      }
    }
    // model: ResourceQuota is the last validating admission plugin, after the webhooks; a
    // refused create (403 Forbidden) writes nothing.
    if (this.quotas !== undefined && r.resource[req] === Resource.pods && r.verb[req] === Verb.create) {
      const code = this.quotas.admitCreate(r.object[req]!);
      if (code !== Status.ok) {
        this.respond(req, code);
        return;
      }
    }
    r.storageNs[req] = this.engine.now;
    const count = r.count[req]!;
    if (count > 1) this.storage.proposeGroup(req, count, r.bytes[req]!, this.kCommitted);
    else this.storage.propose(req, r.bytes[req]!, this.kCommitted);
  }

  private onCommitted(req: number, revision: number): void {
    const r = this.requests;
    r.storageNs[req] = this.engine.now - r.storageNs[req]!;
    if (revision < 0) {
      this.respond(req, Status.tooLarge);
      return;
    }
    this.store.apply(r, req);
    this.respond(req, r.verb[req] === Verb.create ? Status.created : Status.ok);
  }

  /** Releases the seat and sends the answer (encoded response already paid for) back. */
  private respond(req: number, status: number): void {
    const r = this.requests;
    r.status[req] = status;
    this.replicaApf(req).finish(req);
    const back = this.network.sample();
    r.doneNs[req] = this.engine.now + back;
    this.engine.schedule(back, r.replyKind[req]! as EventKind, r.replyTarget[req]!, req);
  }

  /** model: a client keeps one HTTP/2 connection, so all its requests reach the same replica. */
  private replicaApf(req: number): PriorityAndFairness {
    return this.apf[this.requests.client[req]! % this.apf.length]!;
  }

  /** The cores of the request's replica (the same replica as {@link replicaApf}). */
  private cpuOf(req: number): HostCpu {
    return this.cpus[this.requests.client[req]! % this.cpus.length]!;
  }

  /** One codec pass over the request's object (its decode, or its response's encode). */
  private codecPassNs(req: number): number {
    return Math.round((this.requests.bytes[req]! / 1024) * (this.spec.serializationPerKiBNs / 2));
  }
}
