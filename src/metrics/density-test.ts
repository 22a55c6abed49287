import type { ApiClients } from "../apiserver/clients.js";
import { CLIENT_GO_DEFAULT } from "../apiserver/clients.js";
import { type WatchCache, WatchResource, watchObject } from "../apiserver/watch-cache.js";
import { PodStage, type PodTable } from "../cluster/pod-table.js";
import { columnTable } from "../core/column-table.js";
import type { Engine } from "../core/engine.js";
import { NS_PER } from "../core/time.js";
import type { ApiTimestamps, DensityTestSpec } from "../scenario/sections/density-test.js";

/** One pod's instants as the e2e density test reads them, in simulated ns. */
export interface DensityTestInstants {
  /** metadata.creationTimestamp: set by the API server when it accepts the create. */
  created: number;
  /** The scheduler's "Scheduled" Event's firstTimestamp: recorded once the binding returned. */
  scheduled: number;
  /** The latest state.running.startedAt of the pod's containers. */
  run: number;
  /** The test's own clock (metav1.Now()) when its pod informer first saw phase Running. */
  watched: number;
}

/** The test's five latencies of each pod (ns; NaN where an instant is missing). */
export interface DensityTestPhases {
  schedule: Float64Array;
  runAfterSchedule: Float64Array;
  watch: Float64Array;
  e2e: Float64Array;
}

/**
 * model: an API timestamp is the wall-clock instant truncated to its second (metav1.Time in
 * RFC 3339 without a fraction). Wall clock = `startTimeMs` + simulated time, so only the
 * start's sub-second part matters: returns the simulated time of the truncated instant.
 */
export function apiSecond(simNs: number, startTimeMs: number): number {
  const offsetNs = (((startTimeMs % 1000) + 1000) % 1000) * NS_PER.ms;
  return Math.floor((simNs + offsetNs) / NS_PER.s) * NS_PER.s - offsetNs;
}

/**
 * The phases as the test computed them (density.go: schedule = scheduled - created, run after
 * schedule = run - scheduled, watch = watched - run, e2e = watched - created), from instants
 * read through the API with `precision` (null: exact, every instant at full precision).
 * Which instants are whole seconds: see {@link ApiTimestamps}; `watched` never is (the test's
 * clock). A truncated `run` can fall before an exact `scheduled`: the test then reported a
 * negative run-after-schedule latency, and so does this.
 */
export function densityTestPhases(
  pods: readonly DensityTestInstants[],
  precision: ApiTimestamps | null,
  startTimeMs: number,
): DensityTestPhases {
  const n = pods.length;
  const out: DensityTestPhases = {
    schedule: new Float64Array(n),
    runAfterSchedule: new Float64Array(n),
    watch: new Float64Array(n),
    e2e: new Float64Array(n),
  };
  const metaInSeconds = precision === "seconds";
  const startedInSeconds = precision !== null;
  for (let i = 0; i < n; i++) {
    const p = pods[i]!;
    const created = metaInSeconds ? apiSecond(p.created, startTimeMs) : p.created;
    const scheduled = metaInSeconds ? apiSecond(p.scheduled, startTimeMs) : p.scheduled;
    const run = startedInSeconds ? apiSecond(p.run, startTimeMs) : p.run;
    out.schedule[i] = scheduled - created;
    out.runAfterSchedule[i] = run - scheduled;
    out.watch[i] = p.watched - run;
    out.e2e[i] = p.watched - created;
  }
  return out;
}

/** Per pod: when the scheduler recorded its Scheduled Event and when the test's informer saw it Running (NaN: not yet). */
const SeenRows = columnTable({
  scheduledNs: { type: "Float64", unset: Number.NaN },
  watchedNs: { type: "Float64", unset: Number.NaN },
});

/** What the test's recorder reads and registers with. */
export interface DensityTestDeps {
  engine: Engine;
  watch: WatchCache;
  clients: ApiClients;
  pods: PodTable;
}

/**
 * The e2e density test's view of the run: the time its pod informer (its own API client, a
 * watch on all pods like upstream's NewInformer over the latency pods) first sees each pod
 * Running, and the time the scheduler recorded each pod's Scheduled Event.
 *
 * model: the Event's firstTimestamp is the recorder's clock when the scheduler calls Eventf,
 * after the binding returned (scheduler.go scheduleOne / bind; record/event.go generateEvent).
 * An event of a pod delivered after its Running status was committed carries that status or a
 * later one (the watch cache delivers each watcher's events in commit order).
 */
export class DensityTestRecorder {
  readonly spec: DensityTestSpec;
  private readonly seen = new SeenRows(1024);
  private readonly engine: Engine;
  private readonly pods: PodTable;

  private readonly startedAtLead: number;

  /** `startedAtLead`: kubelet.runtime.startedAtLead, startedAt's lead on the end of the container start. */
  constructor(deps: DensityTestDeps, spec: DensityTestSpec, startedAtLead: number) {
    const { engine, watch, clients } = deps;
    this.engine = engine;
    this.pods = deps.pods;
    this.spec = spec;
    this.startedAtLead = startedAtLead;
    const client = clients.add("e2e-density-test", CLIENT_GO_DEFAULT.qps, CLIENT_GO_DEFAULT.burst);
    watch.inform(WatchResource.pods, "density-test.informer.pod", client, (arg) => this.onPodEvent(watchObject(arg)));
  }

  /** The scheduler recorded `pod`'s Scheduled Event now. */
  scheduled(pod: number): void {
    this.seen.ensureRow(pod);
    if (Number.isNaN(this.seen.scheduledNs[pod]!)) this.seen.scheduledNs[pod] = this.engine.now;
  }

  private onPodEvent(pod: number): void {
    this.seen.ensureRow(pod);
    if (!Number.isNaN(this.seen.watchedNs[pod]!)) return;
    if (this.pods.time(pod, PodStage.running) <= this.engine.now) this.seen.watchedNs[pod] = this.engine.now;
  }

  /** The instants of pod `pod` (NaN for what the test did not see). */
  instants(pod: number): DensityTestInstants {
    this.seen.ensureRow(pod);
    return {
      created: this.pods.time(pod, PodStage.created),
      scheduled: this.seen.scheduledNs[pod]!,
      run: this.pods.time(pod, PodStage.containersStarted) - this.startedAtLead,
      watched: this.seen.watchedNs[pod]!,
    };
  }
}
