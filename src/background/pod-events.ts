import type { ApiServer } from "../apiserver/api-server.js";
import type { ValueOf } from "../core/names-of.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import { columnTable } from "../core/column-table.js";
import type { Engine, EventKind } from "../core/engine.js";
import { NS_PER } from "../core/time.js";
import type { BackgroundMode, EventsStreamSpec } from "../scenario/sections/background.js";
import { Groups } from "./groups.js";
import { TickCalendar } from "./tick-calendar.js";

/** Who records an Event: its `source.component`. */
export const EventSource = { scheduler: 0, kubelet: 1 } as const;
export type EventSource = ValueOf<typeof EventSource>;

/**
 * model: client-go tools/record/events_cache.go NewEventSourceObjectSpamFilter with
 * defaultSpamBurst 25 and defaultSpamQPS 1/300: a token bucket per source + involved object.
 */
const SPAM_BURST = 25;
const SPAM_REFILL_NS = 300 * NS_PER.s;

/** Per pod and source: the spam filter's tokens and when they were last updated. */
const SpamBuckets = columnTable({
  schedulerTokens: { type: "Float64", unset: SPAM_BURST },
  schedulerNs: "Float64",
  kubeletTokens: { type: "Float64", unset: SPAM_BURST },
  kubeletNs: "Float64",
});

/** What {@link PodEvents} is built from. */
export interface PodEventsDeps {
  engine: Engine;
  spec: EventsStreamSpec;
  mode: BackgroundMode;
  tickNs: number;
  api: ApiServer;
  pods: PodTable;
  templates: readonly PodTemplate[];
  /** The scheduler's event client, and each node's kubelet event client. */
  schedulerClient: number;
  kubeletClientOf: Int32Array;
}

/**
 * The Events of the pod lifecycle, as the event recorders write them: Scheduled by the
 * scheduler after a binding; Pulling (when the image was pulled), Pulled, Created and Started
 * per container by the kubelet once the containers run; Killing per container when the kubelet
 * stops a pod.
 *
 * model: client-go tools/record: the recorder hands each Event to the broadcaster, whose sink
 * goroutine writes it asynchronously (recordToSink) after the EventCorrelator:
 * - the spam filter (per source + object, burst 25, 1 token per 5 min) drops what it cannot pay;
 * - the aggregator and logger (events_cache.go EventAggregator, maxEvents 10 similar events in
 *   10 min; EventLogger, identical events) turn repeats into PATCHes of a count. A pod's
 *   lifecycle records each reason once per container and every Event names its container, so
 *   neither triggers here: every Event that passes the spam filter is a CREATE.
 * The writes go through each component's event client (kubelet eventRecordQPS 50, eventBurst
 * 100; the scheduler's own client). Events expire after --event-ttl (1 h) through an etcd
 * lease, deleted by etcd without an API request; runs shorter than the TTL see none expire,
 * and the expiry of longer ones is not modelled. In `aggregate` mode the Events of one source
 * recorded within a tick are written together (ApiServer.submitGroup): their timing does not
 * matter to any pod, since the sink writes them apart from the pod's own path.
 */
export class PodEvents {
  readonly name = "background/pod-events";
  /** Events recorded, dropped by the spam filter, written (answered 201), and failed. */
  recorded = 0;
  spamFiltered = 0;
  written = 0;
  failures = 0;
  private readonly d: PodEventsDeps;
  private readonly spam = new SpamBuckets(1024);
  private readonly schedulerClients: Int32Array;
  private readonly kReply: EventKind;
  private readonly kGroupReply: EventKind;
  private readonly schedulerCalendar: TickCalendar | undefined;
  private readonly kubeletCalendar: TickCalendar | undefined;
  private readonly groups = new Groups();

  constructor(d: PodEventsDeps) {
    this.d = d;
    const e = d.engine;
    this.schedulerClients = Int32Array.of(d.schedulerClient);
    this.kReply = e.register("background.events.reply", (_pod, req) => this.onReply(req));
    this.kGroupReply = e.register("background.events.groupReply", (group, req) => this.onGroupReply(group, req));
    if (d.mode === "aggregate") {
      // Events are due at once: the calendar only has to reach the next tick.
      this.schedulerCalendar = new TickCalendar(
        e,
        `${this.name}/scheduler`,
        d.tickNs,
        2 * d.tickNs,
        e.register("background.events.schedulerTick", () => this.onTick(EventSource.scheduler)),
        Math.floor(d.tickNs / 2),
      );
      this.kubeletCalendar = new TickCalendar(
        e,
        `${this.name}/kubelet`,
        d.tickNs,
        2 * d.tickNs,
        e.register("background.events.kubeletTick", () => this.onTick(EventSource.kubelet)),
        Math.floor((3 * d.tickNs) / 4),
      );
    }
  }

  /** The scheduler bound `pod`: Scheduled. */
  scheduled(pod: number): void {
    this.record(EventSource.scheduler, pod, 0, 1);
  }

  /** The kubelet on `node` started `pod`'s containers: Pulling (if pulled), Pulled, Created, Started each. */
  started(pod: number, node: number): void {
    const containers = this.containers(pod);
    const pulled = this.d.pods.pullWaitNs[pod]! > 0;
    this.record(EventSource.kubelet, pod, node, containers * (pulled ? 4 : 3));
  }

  /** The kubelet on `node` stops `pod`'s containers: Killing each. */
  killing(pod: number, node: number): void {
    this.record(EventSource.kubelet, pod, node, this.d.templates[this.d.pods.template[pod]!]!.containers.length);
  }

  private containers(pod: number): number {
    const t = this.d.templates[this.d.pods.template[pod]!]!;
    return t.containers.length + t.initContainers.length;
  }

  /** Records `n` Events of `source` about `pod`, each through the spam filter. */
  private record(source: EventSource, pod: number, node: number, n: number): void {
    if (!this.d.spec.enabled) return;
    this.recorded += n;
    const sent = this.admit(source, pod, n);
    this.spamFiltered += n - sent;
    const d = this.d;
    const clientOf = source === EventSource.scheduler ? this.schedulerClients : d.kubeletClientOf;
    const id = source === EventSource.scheduler ? 0 : node;
    const cal = source === EventSource.scheduler ? this.schedulerCalendar : this.kubeletCalendar;
    for (let i = 0; i < sent; i++) {
      if (cal !== undefined) cal.add(id, d.engine.now);
      else d.api.submit(clientOf[id]!, Verb.create, Resource.events, pod, 0, d.spec.bytes, this.kReply, pod);
    }
  }

  /** golang.org/x/time/rate semantics of the spam filter: how many of `n` Events pass now. */
  private admit(source: EventSource, pod: number, n: number): number {
    const s = this.spam;
    s.ensureRow(pod);
    const now = this.d.engine.now;
    const tokens = source === EventSource.scheduler ? s.schedulerTokens : s.kubeletTokens;
    const last = source === EventSource.scheduler ? s.schedulerNs : s.kubeletNs;
    let t = tokens[pod]! + (now - last[pod]!) / SPAM_REFILL_NS;
    if (t > SPAM_BURST) t = SPAM_BURST;
    const pass = Math.min(n, Math.floor(t));
    tokens[pod] = t - pass;
    last[pod] = now;
    return pass;
  }

  private onTick(source: EventSource): void {
    const cal = source === EventSource.scheduler ? this.schedulerCalendar! : this.kubeletCalendar!;
    const ids = cal.take();
    const clientOf = source === EventSource.scheduler ? this.schedulerClients : this.d.kubeletClientOf;
    this.groups.submit(this.d.api, ids, clientOf, Verb.create, Resource.events, this.d.spec.bytes, this.kGroupReply);
    cal.done();
  }

  private onReply(req: number): void {
    if (this.d.api.requests.status[req] === Status.created) this.written++;
    else this.failures++;
  }

  private onGroupReply(group: number, req: number): void {
    const n = this.groups.take(group).length;
    if (this.d.api.requests.status[req] === Status.created) this.written += n;
    else this.failures += n;
  }
}
