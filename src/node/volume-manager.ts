import type { NodeIdx } from "../cluster/ids.js";
import { Sampler } from "../core/distributions.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import type { VolumeLatencySpec } from "../scenario/sections/kubelet.js";

/** model: pkg/kubelet/volumemanager/volume_manager.go desiredStateOfWorldPopulatorLoopSleepPeriod = 100 ms. */
export const POPULATOR_PERIOD_NS = 100 * NS_PER.ms;
/** model: pkg/kubelet/volumemanager/volume_manager.go reconcilerLoopSleepPeriod = 100 ms. */
export const RECONCILER_PERIOD_NS = 100 * NS_PER.ms;
/** model: pkg/kubelet/volumemanager/volume_manager.go podAttachAndMountRetryInterval = 300 ms. */
export const ATTACH_MOUNT_POLL_NS = 300 * NS_PER.ms;

/** The first instant at or after `t` on the grid `phase + k * period`. */
export function nextTick(t: number, period: number, phase: number): number {
  const k = Math.ceil((t - phase) / period);
  return phase + Math.max(0, k) * period;
}

/**
 * The kubelet's volume manager on every node, as the time WaitForAttachAndMount returns.
 *
 * model: pkg/kubelet/volumemanager: the desired-state populator adds the pod's volumes on its
 * next 100 ms pass; the reconciler, on its next 100 ms pass, mounts node-local volumes (one
 * operation per volume, run in parallel) and, for attachable volumes, waits until the
 * attach-detach controller reports the volume attached (VerifyControllerAttachedVolume) before
 * MountDevice + SetUp (CSI NodeStage + NodePublish). The pod worker's WaitForAttachAndMount
 * polls immediately and then every 300 ms (wait.PollUntilContextTimeout, immediate true), so a
 * pod with only a projected token volume waits one poll interval. The attach-detach controller
 * (kube-controller-manager) starts the CSI attach when the pod is bound; its own 100 ms loop and
 * the node status round trip are folded into the attach latency.
 * Each node's two loops run at their own phase (drawn at construction).
 */
export class VolumeManager {
  private readonly localMount: Sampler;
  private readonly csiAttach: Sampler;
  private readonly csiMount: Sampler;
  private readonly populatorPhase: Float64Array;
  private readonly reconcilerPhase: Float64Array;

  constructor(random: RandomStreams, spec: VolumeLatencySpec, nodeCount: number) {
    this.localMount = new Sampler(spec.localMount, random.stream("kubelet/volumes/local-mount"));
    this.csiAttach = new Sampler(spec.csiAttach, random.stream("kubelet/volumes/csi-attach"));
    this.csiMount = new Sampler(spec.csiMount, random.stream("kubelet/volumes/csi-mount"));
    const phases: Rng = random.stream("kubelet/volumes/phase");
    this.populatorPhase = new Float64Array(nodeCount);
    this.reconcilerPhase = new Float64Array(nodeCount);
    for (let n = 0; n < nodeCount; n++) {
      this.populatorPhase[n] = Math.floor(phases.next() * POPULATOR_PERIOD_NS);
      this.reconcilerPhase[n] = Math.floor(phases.next() * RECONCILER_PERIOD_NS);
    }
  }

  /**
   * When WaitForAttachAndMount, called at `nowNs`, returns for a pod with `local` node-local
   * volumes and `attachable` volumes whose attach began at `attachStartNs`. With no volumes it
   * returns `nowNs`. Draws one sample per volume operation.
   */
  readyAt(node: NodeIdx, local: number, attachable: number, attachStartNs: number, nowNs: number): number {
    if (local === 0 && attachable === 0) return nowNs;
    const populated = nextTick(nowNs, POPULATOR_PERIOD_NS, this.populatorPhase[node]!);
    const recPhase = this.reconcilerPhase[node]!;
    const reconciled = nextTick(populated, RECONCILER_PERIOD_NS, recPhase);
    let mounted = reconciled;
    for (let i = 0; i < local; i++) mounted = Math.max(mounted, reconciled + this.localMount.sample());
    for (let i = 0; i < attachable; i++) {
      const attached = attachStartNs + this.csiAttach.sample();
      const seen = nextTick(Math.max(attached, reconciled), RECONCILER_PERIOD_NS, recPhase);
      mounted = Math.max(mounted, seen + this.csiMount.sample());
    }
    return nowNs + Math.ceil((mounted - nowNs) / ATTACH_MOUNT_POLL_NS) * ATTACH_MOUNT_POLL_NS;
  }
}
