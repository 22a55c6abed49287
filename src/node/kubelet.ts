import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams, Rng } from "../core/random.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ApiClients } from "../apiserver/clients.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { watchObject, type WatchCache } from "../apiserver/watch-cache.js";
import type { KubeletSpec, RegistrySpec } from "../scenario/types.js";

const STATUS_BYTES = 5_000;

/**
 * The kubelets of all nodes, as one component over per-node typed arrays (events carry the pod).
 *
 * A bound pod reaches its node's kubelet through the pod watch indexed by nodeName. The pod
 * worker then runs the sandbox (RunPodSandbox, then CNI ADD), makes sure each image is present
 * (pulling it when it is not cached: one pull at a time per node, as serializeImagePulls does,
 * and a pull in flight is shared by later pods needing the same image), starts the containers
 * one after another, and the PLEG notices them started at its next relist. Then the status
 * manager writes the Running status through the node's own rate-limited client.
 */
export class Kubelets {
  private readonly engine: Engine;
  private readonly nodes: NodeTable;
  private readonly pods: PodTable;
  private readonly templates: readonly PodTemplate[];
  private readonly api: ApiServer;
  private readonly spec: KubeletSpec;
  private readonly imageSizes: readonly number[];
  private readonly pullBytesPerSec: number;
  private readonly sandbox: Sampler;
  private readonly cni: Sampler;
  private readonly containerStart: Sampler;
  /** Each node's PLEG relist phase within the period. */
  private readonly plegPhaseNs: Float64Array;
  /** Per node: when its image puller is free again. */
  private readonly pullerFreeNs: Float64Array;
  /** Per (node, image): when the image is (or will be) present; NaN if never asked for. */
  private readonly imageReadyNs: Float64Array;
  private readonly clientOf: Int32Array;
  private readonly kSandboxReady: EventKind;
  private readonly kImagesReady: EventKind;
  private readonly kStarted: EventKind;
  private readonly kRelisted: EventKind;
  private readonly kStatusWritten: EventKind;
  /** Bytes pulled from the registry, in total. */
  bytesPulled = 0;
  pulls = 0;

  constructor(engine: Engine, random: RandomStreams, spec: KubeletSpec, registry: RegistrySpec, nodes: NodeTable, pods: PodTable, templates: readonly PodTemplate[], imageSizes: readonly number[], api: ApiServer, clients: ApiClients, watch: WatchCache) {
    this.engine = engine;
    this.nodes = nodes;
    this.pods = pods;
    this.templates = templates;
    this.api = api;
    this.spec = spec;
    this.imageSizes = imageSizes;
    // model: first fidelity: a pull runs at the node's NIC rate, capped by the registry's.
    this.pullBytesPerSec = Math.min(registry.perNodeBandwidth, registry.bandwidth);
    this.sandbox = new Sampler(spec.sandbox, random.stream("kubelet/sandbox"));
    this.cni = new Sampler(spec.cni, random.stream("kubelet/cni"));
    this.containerStart = new Sampler(spec.containerStart, random.stream("kubelet/container-start"));
    const n = nodes.size;
    this.plegPhaseNs = new Float64Array(n);
    const phase: Rng = random.stream("kubelet/pleg-phase");
    for (let i = 0; i < n; i++) this.plegPhaseNs[i] = Math.floor(phase.next() * spec.plegRelistPeriod);
    this.pullerFreeNs = new Float64Array(n);
    this.imageReadyNs = new Float64Array(n * Math.max(1, imageSizes.length)).fill(NaN);
    this.clientOf = new Int32Array(n);
    const kSeen = engine.register("kubelet.podSeen", (_node, arg) => this.onPodEvent(watchObject(arg)));
    for (let i = 0; i < n; i++) {
      this.clientOf[i] = clients.add(`system:node:${nodes.names[i]}`, spec.qps, spec.burst);
      watch.watchPodsOnNode(i, kSeen, i);
    }
    this.kSandboxReady = engine.register("kubelet.sandboxReady", (pod) => this.onSandboxReady(pod));
    this.kImagesReady = engine.register("kubelet.imagesReady", (pod) => this.onImagesReady(pod));
    this.kStarted = engine.register("kubelet.started", (pod) => this.onStarted(pod));
    this.kRelisted = engine.register("kubelet.relisted", (pod) => this.onRelisted(pod));
    this.kStatusWritten = engine.register("kubelet.statusWritten", () => {});
  }

  private onPodEvent(pod: number): void {
    if (this.pods.time(pod, PodStage.kubeletSeen) === this.pods.time(pod, PodStage.kubeletSeen)) return; // already seen
    this.pods.mark(pod, PodStage.kubeletSeen, this.engine.now);
    this.engine.schedule(this.sandbox.sample() + this.cni.sample(), this.kSandboxReady, pod);
  }

  private onSandboxReady(pod: number): void {
    const now = this.engine.now;
    this.pods.mark(pod, PodStage.sandboxReady, now);
    const node = this.pods.node[pod]!;
    const t = this.templates[this.pods.template[pod]!]!;
    const imgs = this.imageSizes.length;
    let readyAt = now;
    for (const c of t.initContainers.concat(t.containers)) {
      const slot = node * imgs + c.image;
      let at = this.imageReadyNs[slot]!;
      const cached = this.nodes.hasImage(node, c.image);
      if (at !== at && (!cached || c.imagePullPolicy === "Always")) {
        // model: serializeImagePulls: the node's pulls run one after another.
        const start = Math.max(now, this.pullerFreeNs[node]!);
        at = start + Math.ceil((this.imageSizes[c.image]! / this.pullBytesPerSec) * 1e9);
        this.pullerFreeNs[node] = this.spec.serializeImagePulls ? at : this.pullerFreeNs[node]!;
        this.imageReadyNs[slot] = at;
        this.bytesPulled += this.imageSizes[c.image]!;
        this.pulls++;
      }
      if (at === at && at > readyAt) readyAt = at;
    }
    this.engine.scheduleAt(readyAt, this.kImagesReady, pod);
  }

  private onImagesReady(pod: number): void {
    this.pods.mark(pod, PodStage.imagesPulled, this.engine.now);
    const node = this.pods.node[pod]!;
    const t = this.templates[this.pods.template[pod]!]!;
    let delay = 0;
    for (const c of t.initContainers) {
      this.nodes.addImage(node, c.image);
      delay += this.containerStart.sample();
    }
    for (const c of t.containers) {
      this.nodes.addImage(node, c.image);
      delay += this.containerStart.sample();
    }
    this.engine.schedule(delay, this.kStarted, pod);
  }

  private onStarted(pod: number): void {
    const now = this.engine.now;
    this.pods.mark(pod, PodStage.containersStarted, now);
    // model: PLEG relists every plegRelistPeriod (genericPlegRelistPeriod 1 s); the container
    // start is noticed at the node's next relist.
    const period = this.spec.plegRelistPeriod;
    const phase = this.plegPhaseNs[this.pods.node[pod]!]!;
    const next = phase + Math.ceil((now - phase) / period) * period;
    this.engine.scheduleAt(Math.max(now, next), this.kRelisted, pod);
  }

  private onRelisted(pod: number): void {
    const node = this.pods.node[pod]!;
    this.api.submit(this.clientOf[node]!, Verb.update, Resource.podsStatus, pod, PodPhase.Running, STATUS_BYTES, this.kStatusWritten, pod);
  }
}
