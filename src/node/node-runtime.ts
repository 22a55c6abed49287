import type { NodeIdx } from "../cluster/ids.js";
import { NS_PER } from "../core/time.js";
import { HostCpu } from "../sync/host-cpu.js";

/** The CPU costs and concurrency of one node's kubelet and container runtime (`kubelet.runtime`). */
export interface RuntimeCosts {
  /** Runtime operations (RunPodSandbox, CreateContainer+StartContainer) one node runs at once; null: no limit. */
  maxConcurrentOps: number | null;
  /** CPU of RunPodSandbox: create and start the pause container, set up its namespaces. */
  sandboxCpu: number;
  /** CPU of CreateContainer + StartContainer of one container (runc create and start). */
  containerCpu: number;
  /** The kubelet's own CPU for one SyncPod (the first sync at admission, the sync that sets Running). */
  syncPodCpu: number;
  /** CPU of one PLEG relist (a runtime call): a fixed part and a part per container on the node. */
  relistCpu: number;
  relistCpuPerContainer: number;
  /** Every pod worker is re-synced this often (kubelet syncFrequency). */
  podSyncPeriod: number;
  /** CPU of one periodic pod sync: a fixed part, and a runtime call per container on the node. */
  podSyncCpu: number;
  podSyncCpuPerContainer: number;
  /** Stats collection (cAdvisor housekeeping): CPU per container per second of simulated time. */
  statsCpuPerContainerPerSecond: number;
  /** The kubelet's loops over every pod (volume manager, status manager): CPU per pod per second. */
  podLoopsCpuPerPodPerSecond: number;
  /**
   * The kubelet syncs every pod worker of the node at once, each at the periodic pod sync's
   * cost, on each new pod and otherwise every `podSyncPeriod` after the last such pass
   * (kubelet 1.0's syncLoop; status-only changes were filtered out by the config merge). The
   * periodic resync is then these passes ({@link NodeRuntime.syncAll}), not a steady share.
   */
  syncAllOnUpdate: boolean;
  /**
   * The pod worker's sync writes the Running status itself once the containers started, after
   * one status listing (a periodic pod sync's cost), instead of waiting for a PLEG relist
   * (kubelet 1.0's syncPod; the PLEG came in v1.2).
   */
  statusAtSyncEnd: boolean;
  /**
   * How long before StartContainer returns the runtime stamps the container's startedAt (what
   * the pod status reports); read by the e2e density test's measurement (metrics/density-test.ts).
   */
  startedAtLead: number;
  /**
   * The agents' CPU is a cgroup share, not a cap: their reservation is a request without a
   * limit, so on a host with idle CPU a burst of theirs runs on up to this many cores; null:
   * the reservation is all they get.
   */
  cpuBurstCores: number | null;
}

/**
 * model: GKE's CPU reservation for system daemons (kubelet, container runtime, OS), by node
 * capacity: 6% of the first core, 1% of the next, 0.5% of the next 2, 0.25% of every core above
 * 4 (cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes, "Node allocatable
 * resources"). Returns cores.
 */
export function gkeReservedCpu(capacityCores: number): number {
  const c = capacityCores;
  let r = 0.06 * Math.min(c, 1);
  if (c > 1) r += 0.01 * Math.min(c - 1, 1);
  if (c > 2) r += 0.005 * Math.min(c - 2, 2);
  if (c > 4) r += 0.0025 * (c - 4);
  return r;
}

/**
 * model: a saturated share is capped here, so an overloaded node's operations slow down by at
 * most 20x instead of never finishing (the kubelet would be stuck, which the run would show as
 * pods never Running; a cap keeps the run finite and the overload visible in {@link saturatedOps}).
 */
const MAX_BACKGROUND_SHARE = 0.95;

/**
 * The CPU and the runtime concurrency of every node's kubelet and container runtime, shared by
 * the pods' startup operations and the steady background work that grows with the pods and
 * containers on the node.
 *
 * model:
 * - The node agents run on `cores` (system-reserved CPU): assumed to be all they get, as when the
 *   pods use their allocatable CPU (the kubepods cgroup's cpu.shares then claim the rest). Each
 *   node's agent CPU is one {@link HostCpu} server whose speed is `cores` (reservations are
 *   fractions of a core), so a burst of c ns of CPU takes c / cores.
 * - Background work is periodic and short (a PLEG relist every plegRelistPeriod, pkg/kubelet/pleg
 *   generic.go; a resync of every pod worker every syncFrequency; cAdvisor housekeeping per
 *   container; the volume and status managers' loops over every pod), so it is taken as a
 *   fluid share of the CPU, ρ = its CPU rate / cores, computed from the node's pods and
 *   containers when an operation starts: an operation's CPU runs at cores·(1-ρ), processor
 *   sharing's slowdown. It costs no event. With `syncAllOnUpdate` the resync is not in ρ: it
 *   is the explicit passes of {@link syncAll}, which the caller times.
 * - With a concurrency limit k (docker 1.x serialised its daemon operations), operations wait
 *   FCFS for one of k slots (a k-server {@link HostCpu} solved at submission); the background's
 *   runtime calls (relists, per-pod container listings) hold the slots a share ρr of the time,
 *   so an operation's slot time stretches by 1/(1-ρr). Without a limit, operations overlap and
 *   contend only for the CPU (FCFS on the one agent CPU server).
 *
 * Contract: `operation` and `syncPod` return the finish time of work ready at `readyNs`; the
 * caller schedules its next step then. Counts of pods and containers are kept by the caller
 * through {@link addPod}, {@link addContainers}, {@link removePod}.
 */
export class NodeRuntime {
  readonly costs: RuntimeCosts;
  /** Per node: the agents' cores. */
  readonly cores: Float64Array;
  /** Per node: admitted pods not terminated, and containers the runtime lists (sandboxes included). */
  readonly pods: Int32Array;
  readonly containers: Int32Array;
  /** Operations that ran with the background share capped ({@link MAX_BACKGROUND_SHARE}). */
  saturatedOps = 0;
  private readonly cpu: HostCpu[];
  private readonly slots: HostCpu[] | null;
  private readonly plegPeriodS: number;

  /** `cores[node]` cores per node; `plegRelistPeriod` in ns. */
  constructor(cores: ArrayLike<number>, costs: RuntimeCosts, plegRelistPeriod: number) {
    const n = cores.length;
    this.costs = costs;
    this.cores = new Float64Array(n);
    this.pods = new Int32Array(n);
    this.containers = new Int32Array(n);
    this.plegPeriodS = plegRelistPeriod / NS_PER.s;
    this.cpu = new Array<HostCpu>(n);
    for (let i = 0; i < n; i++) {
      const c = cores[i]!;
      if (!(c > 0)) throw new RangeError(`node ${i}: agent cores must be > 0, got ${c}`);
      this.cores[i] = c;
      this.cpu[i] = new HostCpu(`node ${i} agents`, 1);
    }
    const k = costs.maxConcurrentOps;
    if (k !== null) {
      this.slots = new Array<HostCpu>(n);
      for (let i = 0; i < n; i++) this.slots[i] = new HostCpu(`node ${i} runtime`, k);
    } else {
      this.slots = null;
    }
  }

  addPod(node: NodeIdx): void {
    this.pods[node]!++;
  }

  addContainers(node: NodeIdx, count: number): void {
    this.containers[node]! += count;
  }

  removePod(node: NodeIdx, containers: number): void {
    this.pods[node]!--;
    this.containers[node]! -= containers;
  }

  /** Background CPU rate of `node`, cores: relists, pod resyncs, stats. */
  backgroundCpu(node: NodeIdx): number {
    const k = this.costs;
    const c = this.containers[node]!;
    const relist = (k.relistCpu + k.relistCpuPerContainer * c) / NS_PER.s / this.plegPeriodS;
    const sync = k.syncAllOnUpdate
      ? 0
      : (this.pods[node]! * (k.podSyncCpu + k.podSyncCpuPerContainer * c)) / k.podSyncPeriod;
    const loops = k.statsCpuPerContainerPerSecond * c + k.podLoopsCpuPerPodPerSecond * this.pods[node]!;
    return relist + sync + loops / NS_PER.s;
  }

  /** Share of the runtime's slots held by background runtime calls (relists, per-pod listings). */
  backgroundRuntimeShare(node: NodeIdx): number {
    const k = this.costs;
    if (k.maxConcurrentOps === null) return 0;
    const c = this.containers[node]!;
    const relist = (k.relistCpu + k.relistCpuPerContainer * c) / NS_PER.s / this.plegPeriodS;
    const sync = k.syncAllOnUpdate ? 0 : (this.pods[node]! * k.podSyncCpuPerContainer * c) / k.podSyncPeriod;
    return (relist + sync) / k.maxConcurrentOps;
  }

  /**
   * Speed of the agents' CPU left to foreground work on `node`, cores.
   *
   * model: a CFS share (cpu.shares from a request, no cpu.cfs_quota) only bounds a cgroup when
   * the host's CPU is contended; with `cpuBurstCores` the host is assumed to have idle CPU, so
   * the agents run on max(reservation, cpuBurstCores) cores, the background taking its share.
   */
  private speed(node: NodeIdx): number {
    const burst = this.costs.cpuBurstCores;
    const cores = burst === null ? this.cores[node]! : Math.max(this.cores[node]!, burst);
    let rho = this.backgroundCpu(node) / cores;
    if (rho > MAX_BACKGROUND_SHARE) {
      rho = MAX_BACKGROUND_SHARE;
      this.saturatedOps++;
    }
    return cores * (1 - rho);
  }

  /**
   * A runtime operation on `node` ready at `readyNs` with `cpuNs` of CPU and `latencyNs` of other
   * time (I/O, kernel setup); returns when it finishes.
   */
  operation(node: NodeIdx, readyNs: number, cpuNs: number, latencyNs: number): number {
    const cpuTime = cpuNs > 0 ? Math.round(cpuNs / this.speed(node)) : 0;
    if (this.slots === null) return this.cpu[node]!.run(readyNs, cpuTime) + latencyNs;
    let share = this.backgroundRuntimeShare(node);
    if (share > MAX_BACKGROUND_SHARE) {
      share = MAX_BACKGROUND_SHARE;
      this.saturatedOps++;
    }
    const hold = Math.round((cpuTime + latencyNs) / (1 - share));
    return this.slots[node]!.run(readyNs, hold);
  }

  /**
   * A pass of {@link RuntimeCosts.syncAllOnUpdate}'s loop on `node` at `readyNs`: every pod
   * worker syncs, one runtime operation per pod, which holds the runtime and its CPU.
   */
  syncAll(node: NodeIdx, readyNs: number): void {
    const k = this.costs;
    const cpuNs = k.podSyncCpu + k.podSyncCpuPerContainer * this.containers[node]!;
    for (let i = this.pods[node]!; i > 0; i--) this.operation(node, readyNs, cpuNs, 0);
  }

  /** The kubelet's own CPU for one SyncPod on `node`, ready at `readyNs`; returns when it ends. */
  syncPod(node: NodeIdx, readyNs: number): number {
    const cpuNs = this.costs.syncPodCpu;
    if (cpuNs <= 0) return readyNs;
    return this.cpu[node]!.run(readyNs, Math.round(cpuNs / this.speed(node)));
  }

  /** Agent CPU busy time and wait over all nodes (foreground bursts only). */
  cpuTotals(): { bursts: number; busyNs: number; waitNs: number } {
    let bursts = 0;
    let busyNs = 0;
    let waitNs = 0;
    for (const c of this.cpu) {
      bursts += c.bursts;
      busyNs += c.busyNs;
      waitNs += c.waitNs;
    }
    return { bursts, busyNs, waitNs };
  }
}
