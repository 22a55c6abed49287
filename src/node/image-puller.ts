import type { NodeIdx } from "../cluster/ids.js";
import type { ContainerSpec } from "../cluster/pod-template.js";
import { Sampler, constant, type DistSpec } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { columnPool, columnTable } from "../core/column-table.js";
import { IMAGE_BACKOFF_PERIOD_NS, ImageBackOff, MAX_IMAGE_BACKOFF_NS } from "./image-backoff.js";
import type { ImageCatalog } from "./image-catalog.js";
import type { LayerCache } from "./layer-cache.js";
import { PullQpsLimiter } from "./pull-qps-limiter.js";
import type { Registry } from "./registry.js";
import { NodeFifos, NONE } from "./node-fifos.js";
import type { ValueOf } from "../core/names-of.js";

/** A container's imagePullPolicy, upstream spelling. */
export type ImagePullPolicy = ContainerSpec["imagePullPolicy"];

/**
 * What a pull request ends with, passed as the `arg` of its `onDone` event. The names are the
 * kubelet's container waiting reasons (pkg/kubelet/images/types.go `ErrImagePull`,
 * `ErrImagePullBackOff` = "ImagePullBackOff", `ErrImageNeverPull`).
 */
export const PullResult = {
  /** The image is on the node (it was present, or the pull succeeded). */
  ok: 0,
  /** The pull failed (injected registry failure, or the node's pull QPS was exceeded). */
  ErrImagePull: 1,
  /** Refused without pulling: the (pod, image) key is backing off after an earlier failure. */
  ImagePullBackOff: 2,
  /** Policy Never and the image is not on the node. */
  ErrImageNeverPull: 3,
} as const;
export type PullResult = ValueOf<typeof PullResult>;
/** Reason strings by {@link PullResult} code. */
export const PULL_RESULT_NAMES = ["", "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull"] as const;

/** Configuration of the kubelet image manager and of containerd's fetch, per node. */
export interface ImagePullerConfig {
  /**
   * One pull at a time per node. When unset, derived as upstream: true unless
   * maxParallelImagePulls >= 2.
   * model: pkg/kubelet/apis/config/v1beta1/defaults.go `SerializeImagePulls` defaulting.
   */
  serializeImagePulls?: boolean;
  /**
   * Parallel pulls per node when not serialized; null (or < 1) means unlimited.
   * model: pkg/kubelet/images/puller.go `newParallelImagePuller`: nil or < 1 gives no limit.
   */
  maxParallelImagePulls: number | null;
  /** model: pkg/kubelet/apis/config/v1beta1/defaults.go `RegistryPullQPS = 5` (0: no limit). */
  registryPullQPS: number;
  /** model: pkg/kubelet/apis/config/v1beta1/defaults.go `RegistryBurst = 10`. */
  registryBurst: number;
  /**
   * Layers of one pull fetched at once.
   * model: containerd pkg/cri/config/config_unix.go `DefaultConfig` `MaxConcurrentDownloads: 3`
   * (`max_concurrent_downloads`, a limit per pull request).
   */
  maxConcurrentDownloads: number;
  /** Probability that a pull attempt fails (ErrImagePull) after its manifest round trip. */
  failureProbability: number;
  /**
   * Time from the start of a pull to its first layer request (resolve + manifest + config).
   * model: no upstream or calibration figure exists, so the default is 0; set it from
   * measurements of the registry in question.
   */
  manifestLatency: DistSpec;
  /** Back-off start after a failed pull (10 s). */
  imageBackOffPeriodNs: number;
  /** Back-off cap (300 s). */
  maxImageBackOffNs: number;
  /** Name of the puller's random stream. */
  stream: string;
}

/** Upstream defaults (kubelet v1.30+, containerd 1.7 CRI). */
export const DEFAULT_IMAGE_PULLER_CONFIG: Readonly<ImagePullerConfig> = {
  maxParallelImagePulls: null,
  registryPullQPS: 5,
  registryBurst: 10,
  maxConcurrentDownloads: 3,
  failureProbability: 0,
  manifestLatency: constant(0),
  imageBackOffPeriodNs: IMAGE_BACKOFF_PERIOD_NS,
  maxImageBackOffNs: MAX_IMAGE_BACKOFF_NS,
  stream: "node/image-puller",
};

/** Where a pull stands: free slot, waiting for a puller slot, resolving its manifest, fetching layers. */
const JobState = { free: 0, queued: 1, manifest: 2, fetching: 3 } as const;
/** Why a pull fails once its manifest round trip ends (drawn when it starts). */
const JobFail = { none: 0, injected: 1, qps: 2 } as const;

/** One row per pull() call: who asked, for what, when it started and ended, its result and bytes. */
const PullRequests = columnTable({
  node: { type: "Int32", unset: NONE },
  image: { type: "Int32", unset: NONE },
  target: "Int32",
  kind: "Int32",
  startNs: "Float64",
  /** NaN until the request ends. */
  endNs: { type: "Float64", unset: NaN },
  /** A PullResult once ended, -1 before. */
  result: { type: "Int32", unset: -1 },
  bytes: "Float64",
  /** Next request sharing the same pull (linked list from the job). */
  next: { type: "Int32", unset: NONE },
});

/** Pulls ("jobs") in the node queues or running. */
const PullJobs = columnPool({
  state: { type: "Uint8", unset: JobState.free },
  node: { type: "Int32", unset: NONE },
  image: { type: "Int32", unset: NONE },
  /** CSR offset of the next layer to consider, and the end. */
  nextLayer: "Int32",
  layerEnd: "Int32",
  /** Layers this pull is waiting for (own fetches and fetches it joined). */
  waiting: "Int32",
  /** Bytes of the fetches this pull started. */
  bytes: "Float64",
  fail: { type: "Uint8", unset: JobFail.none },
  reqHead: { type: "Int32", unset: NONE },
  reqTail: { type: "Int32", unset: NONE },
  /** Next pull in the node's FIFO of pulls waiting for a slot. */
  qNext: { type: "Int32", unset: NONE },
});

/** Layer fetches in flight on a node, each with its owning pull and its FIFO of waiters. */
const LayerFetches = columnPool({
  node: { type: "Int32", unset: NONE },
  layer: { type: "Int32", unset: NONE },
  owner: { type: "Int32", unset: NONE },
  waitHead: { type: "Int32", unset: NONE },
  waitTail: { type: "Int32", unset: NONE },
});

/** Per node: pulls running, and bytes fetched so far. */
const PullerNodes = columnTable({
  busy: "Int32",
  bytesPulled: "Float64",
});

/** Waiters of a fetch (pulls): singly-linked records. */
const FetchWaiters = columnPool({
  job: { type: "Int32", unset: NONE },
  next: { type: "Int32", unset: NONE },
});

/**
 * The kubelet's image manager and puller on every node, with containerd's layer fetch, over a
 * shared {@link Registry}.
 *
 * A request `pull(node, image, policy, onDone, target)` follows
 * pkg/kubelet/images/image_manager.go `EnsureImageExists`:
 * 1. `shouldPullImage`: Never -> ok if present, else ErrImageNeverPull; IfNotPresent and
 *    present -> ok; Always always pulls (a present image costs a manifest round trip, no bytes).
 * 2. back-off: if the (target, image) key is backing off -> ImagePullBackOff, no pull.
 * 3. the pull goes to the node's puller: serialized (one at a time, FIFO; pkg/kubelet/images/
 *    puller.go `serialImagePuller`, whose request channel holds `maxImagePullRequests = 10` and
 *    blocks further senders, so the wait is unbounded but nothing is dropped) or parallel up to
 *    maxParallelImagePulls (`parallelImagePuller` with its token channel). When it starts it takes a registryPullQPS token or fails at once
 *    with ErrImagePull ("pull QPS exceeded"). Then, after the manifest latency, it either fails
 *    (failureProbability) or fetches the image's layers not yet on the node, base first, at most
 *    maxConcurrentDownloads at a time, each a registry flow.
 * 4. a failure feeds the back-off (`backOff.Next`): 10 s doubling to 300 s.
 *
 * Sharing, as the runtime does it: a layer being fetched on a node is fetched once, and another
 * pull needing it waits for that fetch (containerd's content ingest is locked by digest); a
 * request for an image whose pull is already queued or running on the node joins that pull and
 * ends with it. model: upstream the joining request would issue its own PullImage after the
 * first (the serial queue, or the parallel puller's per-image blocker in
 * throttled_puller.go `blockerWithMaxParallel.Wait`), which finds every layer present and only
 * re-resolves the manifest; it would also take a QPS token. Joining skips that round trip and
 * that token; with burst 10 this only matters when a node receives more than ~10 requests for
 * one uncached image within a second.
 *
 * Results come back as `onDone(target, code)` events with a {@link PullResult} code; `target` is
 * also the back-off key together with the image, so pass the pod index (upstream keys back-off
 * by pod UID and image). `pull` returns a request id whose row in the request log ({@link requests}) records
 * times, result and the bytes the request caused to be fetched.
 */
export class ImagePuller {
  readonly config: Readonly<ImagePullerConfig>;
  readonly serialized: boolean;
  /** Pulls one node runs at once. */
  readonly slotsPerNode: number;
  readonly nodeCount: number;
  /**
   * The request log: one row per pull() call, its request id, never recycled. A row's `result`
   * is -1 while pending, its `endNs` NaN; `bytes` is what the request caused to be fetched (0 if
   * it joined another pull or found its layers). Written by the puller only.
   */
  readonly requests = new PullRequests(256);
  /** Per node: pulls running (`busy`) and bytes fetched so far (`bytesPulled`). Written by the puller only. */
  readonly perNode: InstanceType<typeof PullerNodes>;
  private readonly engine: Engine;
  private readonly registry: Registry;
  private readonly catalog: ImageCatalog;
  private readonly cache: LayerCache;
  private readonly rng: Rng;
  private readonly manifest: Sampler;
  private readonly qps: PullQpsLimiter;
  private readonly backOff: ImageBackOff;
  private readonly imageCount: number;
  private readonly layerCount: number;
  private readonly manifestKind: EventKind;
  private readonly layerKind: EventKind;

  // Pulls ("jobs") in the node queues or running. Pooled.
  private readonly jobs = new PullJobs(64);
  // Layer fetches in flight on a node. Pooled; `fetchOf` maps node*layerCount+layer to one.
  private readonly dls = new LayerFetches(64);
  // Waiters of a fetch (pulls). Pooled singly-linked records.
  private readonly waits = new FetchWaiters(64);

  /** (node * imageCount + image) -> pull queued or running. perf: lookup only, never iterated. */
  private readonly pullOf = new Map<number, number>();
  /** (node * layerCount + layer) -> fetch in flight. perf: lookup only, never iterated. */
  private readonly fetchOf = new Map<number, number>();

  /** Per node: pulls waiting for a puller slot. */
  private readonly waiting: NodeFifos;

  /**
   * Pulls that reached the registry stage (excludes joined, present, refused requests), pulls
   * refused by the node's registryPullQPS limiter ("pull QPS exceeded"), and pulls failed by the
   * injected failure probability.
   */
  readonly totals = { pullsStarted: 0, qpsRefusals: 0, injectedFailures: 0 };

  constructor(
    engine: Engine,
    streams: RandomStreams,
    registry: Registry,
    catalog: ImageCatalog,
    cache: LayerCache,
    config: Partial<ImagePullerConfig> = {},
  ) {
    const c: ImagePullerConfig = { ...DEFAULT_IMAGE_PULLER_CONFIG, ...config };
    this.config = c;
    const maxPar = c.maxParallelImagePulls;
    this.serialized = c.serializeImagePulls ?? (maxPar === null || maxPar < 2);
    // model: pkg/kubelet/apis/config/validation/validation.go rejects serializeImagePulls true
    // with maxParallelImagePulls > 1.
    if (this.serialized && maxPar !== null && maxPar > 1) {
      throw new RangeError(`maxParallelImagePulls ${maxPar} must be 1 or null when serializeImagePulls is true`);
    }
    this.slotsPerNode = this.serialized ? 1 : maxPar === null || maxPar < 1 ? Infinity : maxPar;
    if (!(c.maxConcurrentDownloads >= 1)) throw new RangeError("maxConcurrentDownloads must be >= 1");
    if (!(c.failureProbability >= 0 && c.failureProbability <= 1))
      throw new RangeError("failureProbability must be in [0, 1]");
    if (registry.nodeCount !== cache.nodeCount) throw new RangeError("registry and layer cache disagree on node count");
    this.engine = engine;
    this.registry = registry;
    this.catalog = catalog;
    this.cache = cache;
    catalog.seal();
    this.nodeCount = cache.nodeCount;
    this.imageCount = catalog.imageCount;
    this.layerCount = catalog.layerCount;
    this.rng = streams.stream(c.stream);
    this.manifest = new Sampler(c.manifestLatency, this.rng);
    this.qps = new PullQpsLimiter(this.nodeCount, c.registryPullQPS, c.registryBurst);
    this.backOff = new ImageBackOff(c.imageBackOffPeriodNs, c.maxImageBackOffNs);
    const n = this.nodeCount;
    this.perNode = new PullerNodes(n);
    this.waiting = new NodeFifos(n);
    this.manifestKind = engine.register("imagePuller.manifestDone", (job) => this.onManifestDone(job));
    this.layerKind = engine.register("imagePuller.layerFetched", (dl) => this.onLayerFetched(dl));
  }

  /**
   * Ensures `image` is on `node` under `policy`; fires `onDone(target, code)` (code a
   * {@link PullResult}) when settled, never synchronously. Returns the request id.
   */
  pull(node: NodeIdx, image: number, policy: ImagePullPolicy, onDone: EventKind, target: number): number {
    return this.request(node, image, policy, onDone, target, true);
  }

  /**
   * As {@link pull}, except that a request settled at once (policy Never, an image present under
   * IfNotPresent, a pull in back-off) fires no event: its `result` in {@link requests} is then set
   * (>= 0) and the caller carries on in its own event, at the same instant.
   */
  pullOrSettle(node: NodeIdx, image: number, policy: ImagePullPolicy, onDone: EventKind, target: number): number {
    return this.request(node, image, policy, onDone, target, false);
  }

  private request(
    node: NodeIdx,
    image: number,
    policy: ImagePullPolicy,
    onDone: EventKind,
    target: number,
    notifyAtOnce: boolean,
  ): number {
    const now = this.engine.now;
    if (!this.catalog.has(image)) {
      throw new SimulationError("imagePuller", now, `image #${image} is not in the image catalog`);
    }
    if (!(node >= 0 && node < this.nodeCount)) throw new SimulationError("imagePuller", now, `no node ${node}`);
    const r = this.newRequest(node, image, onDone, target, now);
    const present = this.cache.hasImage(node, image);
    // model: image_manager.go shouldPullImage.
    if (policy === "Never") {
      this.finishRequest(r, present ? PullResult.ok : PullResult.ErrImageNeverPull, 0, notifyAtOnce);
      return r;
    }
    if (policy === "IfNotPresent" && present) {
      this.finishRequest(r, PullResult.ok, 0, notifyAtOnce);
      return r;
    }
    // model: image_manager.go checks backOff.IsInBackOffSinceUpdate before pulling.
    if (this.backOff.isInBackOff(this.backOffKey(target, image), now)) {
      this.finishRequest(r, PullResult.ImagePullBackOff, 0, notifyAtOnce);
      return r;
    }
    const key = node * this.imageCount + image;
    const existing = this.pullOf.get(key);
    if (existing !== undefined) {
      this.attach(existing, r);
      return r;
    }
    const job = this.newJob(node, image);
    this.pullOf.set(key, job);
    this.attach(job, r);
    if (this.perNode.busy[node]! < this.slotsPerNode) {
      this.startJob(job);
    } else {
      this.jobs.state[job] = JobState.queued;
      this.waiting.push(node, job, this.jobs.qNext);
    }
    return r;
  }

  /** Pulls waiting for a puller slot on `node` (the serial puller's queue depth). */
  queueDepth(node: NodeIdx): number {
    return this.waiting.length[node]!;
  }

  /** Back-off period in force for (target, image), 0 if it never failed. */
  backOffPeriodNs(target: number, image: number): number {
    return this.backOff.periodOf(this.backOffKey(target, image));
  }

  /** First instant at which a pull of (target, image) is no longer refused with ImagePullBackOff. */
  backOffUntilNs(target: number, image: number): number {
    return this.backOff.until(this.backOffKey(target, image));
  }

  private backOffKey(target: number, image: number): number {
    return target * this.imageCount + image;
  }

  // ---- requests ----

  private newRequest(node: number, image: number, kind: EventKind, target: number, now: number): number {
    const r = this.requests.addRow();
    this.requests.node[r] = node;
    this.requests.image[r] = image;
    this.requests.target[r] = target;
    this.requests.kind[r] = kind;
    this.requests.startNs[r] = now;
    return r;
  }

  private finishRequest(r: number, code: PullResult, bytes: number, notify = true): void {
    this.requests.result[r] = code;
    this.requests.endNs[r] = this.engine.now;
    this.requests.bytes[r] = bytes;
    if (notify) this.engine.schedule(0, this.requests.kind[r]! as EventKind, this.requests.target[r]!, code);
  }

  private attach(job: number, r: number): void {
    const tail = this.jobs.reqTail[job]!;
    if (tail === NONE) this.jobs.reqHead[job] = r;
    else this.requests.next[tail] = r;
    this.jobs.reqTail[job] = r;
  }

  // ---- pulls ----

  private startJob(job: number): void {
    const node = this.jobs.node[job]!;
    this.perNode.busy[node]!++;
    this.totals.pullsStarted++;
    // Draws are made in a fixed order whatever happens next, to keep the stream aligned.
    const u = this.rng.next();
    const delay = this.manifest.sample();
    if (!this.qps.tryAccept(node, this.engine.now)) {
      this.totals.qpsRefusals++;
      this.jobs.fail[job] = JobFail.qps;
      this.jobs.state[job] = JobState.manifest;
      this.engine.schedule(0, this.manifestKind, job, 0);
      return;
    }
    this.jobs.fail[job] = u < this.config.failureProbability ? JobFail.injected : JobFail.none;
    this.jobs.state[job] = JobState.manifest;
    this.engine.schedule(delay, this.manifestKind, job, 0);
  }

  private onManifestDone(job: number): void {
    if (this.jobs.fail[job] !== JobFail.none) {
      if (this.jobs.fail[job] === JobFail.injected) this.totals.injectedFailures++;
      this.completeJob(job, PullResult.ErrImagePull);
      return;
    }
    this.jobs.state[job] = JobState.fetching;
    this.fill(job);
    this.maybeComplete(job);
  }

  /** Starts or joins layer fetches for `job` up to maxConcurrentDownloads. */
  private fill(job: number): void {
    const node = this.jobs.node[job]!;
    const end = this.jobs.layerEnd[job]!;
    const limit = this.config.maxConcurrentDownloads;
    const catalog = this.catalog;
    const cache = this.cache;
    while (this.jobs.waiting[job]! < limit && this.jobs.nextLayer[job]! < end) {
      const layer = catalog.layerIdAt(this.jobs.nextLayer[job]!++);
      if (cache.hasLayer(node, layer)) continue;
      const key = node * this.layerCount + layer;
      let dl = this.fetchOf.get(key);
      if (dl === undefined) {
        dl = this.newFetch(node, layer, job);
        this.fetchOf.set(key, dl);
        this.registry.startFlow(node, catalog.layerSize(layer), this.layerKind, dl, 0);
      }
      this.addWaiter(dl, job);
      this.jobs.waiting[job]!++;
    }
  }

  private onLayerFetched(dl: number): void {
    const node = this.dls.node[dl]!;
    const layer = this.dls.layer[dl]!;
    const size = this.catalog.layerSize(layer);
    this.cache.addLayer(node, layer);
    this.perNode.bytesPulled[node]! += size;
    this.jobs.bytes[this.dls.owner[dl]!]! += size;
    this.fetchOf.delete(node * this.layerCount + layer);
    let w = this.dls.waitHead[dl]!;
    this.freeFetch(dl);
    while (w !== NONE) {
      const job = this.waits.job[w]!;
      const next = this.waits.next[w]!;
      this.freeWait(w);
      this.jobs.waiting[job]!--;
      this.fill(job);
      this.maybeComplete(job);
      w = next;
    }
  }

  private maybeComplete(job: number): void {
    if (this.jobs.waiting[job] === 0 && this.jobs.nextLayer[job] === this.jobs.layerEnd[job]) {
      this.completeJob(job, PullResult.ok);
    }
  }

  private completeJob(job: number, code: PullResult): void {
    const node = this.jobs.node[job]!;
    const image = this.jobs.image[job]!;
    const now = this.engine.now;
    if (code === PullResult.ok) this.cache.addImage(node, image);
    this.pullOf.delete(node * this.imageCount + image);
    let r = this.jobs.reqHead[job]!;
    let bytes = this.jobs.bytes[job]!;
    while (r !== NONE) {
      const next = this.requests.next[r]!;
      // model: each request's EnsureImageExists calls backOff.Next on its own key on failure.
      if (code !== PullResult.ok) this.backOff.next(this.backOffKey(this.requests.target[r]!, image), now);
      this.finishRequest(r, code, bytes);
      bytes = 0; // the first request is the one that started the pull; joiners fetched nothing
      r = next;
    }
    this.freeJob(job);
    this.perNode.busy[node]!--;
    while (this.perNode.busy[node]! < this.slotsPerNode) {
      const nextJob = this.waiting.shift(node, this.jobs.qNext);
      if (nextJob === NONE) return;
      this.startJob(nextJob);
    }
  }

  // ---- pools ----

  private newJob(node: number, image: number): number {
    const j = this.jobs.claim();
    const start = this.catalog.layerStart(image);
    this.jobs.state[j] = JobState.queued;
    this.jobs.node[j] = node;
    this.jobs.image[j] = image;
    this.jobs.nextLayer[j] = start;
    this.jobs.layerEnd[j] = start + this.catalog.layerCountOf(image);
    this.jobs.waiting[j] = 0;
    this.jobs.bytes[j] = 0;
    this.jobs.fail[j] = JobFail.none;
    this.jobs.reqHead[j] = NONE;
    this.jobs.reqTail[j] = NONE;
    return j;
  }

  private freeJob(j: number): void {
    this.jobs.state[j] = JobState.free;
    this.jobs.release(j);
  }

  private newFetch(node: number, layer: number, owner: number): number {
    const d = this.dls.claim();
    this.dls.node[d] = node;
    this.dls.layer[d] = layer;
    this.dls.owner[d] = owner;
    this.dls.waitHead[d] = NONE;
    this.dls.waitTail[d] = NONE;
    return d;
  }

  private freeFetch(d: number): void {
    this.dls.release(d);
  }

  /** Appends `job` to the waiters of fetch `dl`; they are notified in arrival order. */
  private addWaiter(dl: number, job: number): void {
    const w = this.waits.claim();
    this.waits.job[w] = job;
    this.waits.next[w] = NONE;
    const tail = this.dls.waitTail[dl]!;
    if (tail === NONE) this.dls.waitHead[dl] = w;
    else this.waits.next[tail] = w;
    this.dls.waitTail[dl] = w;
  }

  private freeWait(w: number): void {
    this.waits.release(w);
  }
}
