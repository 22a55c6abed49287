import type { Interner } from "../cluster/interner.js";
import type { NodeTable } from "../cluster/node-table.js";
import { Res } from "../cluster/resources.js";
import { selectorMatches, type LabelSelector } from "./label-selector.js";
import { NodeLabelIndex } from "./node-label-index.js";
import { hasPodAffinity, type HostPort, type PodSpec } from "./pod-spec.js";
import { columnTable } from "../core/column-table.js";

/** model: pkg/scheduler/framework/types.go DefaultBindAllHostIP and the default protocol. */
const ALL_IPS = "0.0.0.0";

/**
 * Layout of {@link SchedulerCache.hot}: per node, 8 doubles (one 64-byte cache line) with what
 * NodeResourcesFit and NodeResourcesBalancedAllocation read for a cpu + memory pod.
 */
export const Hot = {
  allocCpu: 0,
  allocMem: 1,
  allocPods: 2,
  reqCpu: 3,
  reqMem: 4,
  reqPods: 5,
  nzCpu: 6,
  nzMem: 7,
} as const;
/**
 * A node's line starts at `node << HOT_SHIFT` and field k (see Hot) is at `o | k`: the stride is
 * a power of two, so the OR equals the sum.
 * perf: V8 compiles an int32 OR without the overflow check of an add (and a shift without the
 * one of a multiply), which the hot kernels do on every node: about 0.5 ns a node of the "every
 * node changed" scheduler bench. Exact while node < 2^28 (a hot array of 16 GiB).
 */
export const HOT_SHIFT = 3;
export const HOT_STRIDE = 1 << HOT_SHIFT;
/** Entries of {@link SchedulerCache.hotLog}; a reader that falls further behind starts afresh. */
export const HOT_LOG_SIZE = 4096;

/** The host ports in use on one node: ip -> "PROTOCOL/port" -> number of pods holding it. */
export type UsedPorts = Map<string, Map<string, number>>;
/** Pods of one group on each node (see {@link SchedulerCache.groupCounts}). */
export type PodCounts = Uint16Array | Uint32Array;

/** upstream HostPortInfo.CheckConflict: 0.0.0.0 conflicts with any ip; else that ip or 0.0.0.0. */
export function portConflicts(used: UsedPorts | undefined, p: HostPort): boolean {
  if (used === undefined || p.port <= 0) return false;
  const ip = p.ip === "" ? ALL_IPS : p.ip;
  const pp = `${p.protocol === "" ? "TCP" : p.protocol}/${p.port}`;
  if (ip === ALL_IPS) {
    for (const m of used.values()) if ((m.get(pp) ?? 0) > 0) return true;
    return false;
  }
  return (used.get(ALL_IPS)?.get(pp) ?? 0) > 0 || (used.get(ip)?.get(pp) ?? 0) > 0;
}

/** Per pod: node (-1 none), group, and a doubly linked list of pods per node. */
const CachedPods = columnTable({
  node: { type: "Int32", unset: -1 },
  group: { type: "Int32", unset: -1 },
  next: { type: "Int32", unset: -1 },
  prev: { type: "Int32", unset: -1 },
  /** When each pod was added to its node (upstream pod.Status.StartTime for preemption order). */
  start: "Float64",
  /** 1 once the pod terminates with DisruptionTarget reason PreemptionByScheduler. */
  preempted: "Uint8",
});

/**
 * PodDisruptionBudgets as DefaultPreemption reads them (upstream: the scheduler's PDB lister):
 * the budgets selecting a pod, each budget's status.disruptionsAllowed, and whether a pod is in
 * its budgets' status.disruptedPods.
 */
export interface PreemptionBudgets {
  of(pod: number): readonly number[];
  allowed(budget: number): number;
  isDisrupted(pod: number, budget: number): boolean;
}

/**
 * The scheduler's view of the cluster (upstream's scheduler cache and snapshot): the NodeTable's
 * resource columns (assumed pods included), plus per node how many pods of each pod group it
 * holds, the host ports in use, and which pods sit on it. Pod groups are pods with one compiled
 * {@link PodSpec} (one per template in a run). Counting pods per (group, node) instead of keeping
 * pod objects per node is what lets PodTopologySpread and InterPodAffinity count matching pods
 * with typed-array loops.
 */
export class SchedulerCache {
  readonly nodes: NodeTable;
  readonly labels: Interner;
  /** Resource column names (cpu, memory, pods, ephemeral-storage, then extended resources). */
  readonly resources: Interner;
  readonly index: NodeLabelIndex;
  /** Image names interned in the NodeTable's image bitset order. */
  readonly images: Interner;
  /** Size in bytes of each image id (ImageLocality). */
  readonly imageSizes: number[];
  readonly groups: PodSpec[] = [];
  /**
   * Groups of terminating pods (metadata.deletionTimestamp set): a pod that starts terminating
   * moves from its group to that group's terminating twin, same spec, so it still holds its
   * node's resources and counts for InterPodAffinity, while PodTopologySpread, which skips
   * terminating pods, leaves the twins out (see {@link matchingGroups}).
   */
  readonly terminatingGroup: boolean[] = [];
  /** Each live group's terminating twin, -1 until a pod of it terminates. */
  private readonly twinOf: number[] = [];
  /**
   * Pods of each group on each node, allocated when the group gets its first pod.
   * perf: 16 bits per node (a template's counts over 100k nodes are 200 kB, not 400 kB); a
   * node that would hold a 65,536th pod of one group widens that group's array (see {@link bump}).
   */
  readonly groupCounts: (PodCounts | undefined)[] = [];
  /** Groups with inter-pod (anti-)affinity terms, and with required anti-affinity terms. */
  readonly groupsWithAffinity: number[] = [];
  readonly groupsWithRequiredAnti: number[] = [];
  /** Pods with affinity terms per node (upstream NodeInfo.PodsWithAffinity count). */
  readonly affinityPodsOnNode: Int32Array;
  readonly requiredAntiPodsOnNode: Int32Array;
  readonly usedPorts: (UsedPorts | undefined)[];
  private readonly podRows = new CachedPods(1024);
  private readonly nodeHead: Int32Array;
  /**
   * Per group, per topology key: pods of the group in each domain of the key (last slot: nodes
   * without the key), kept up to date once asked for.
   * perf: PodTopologySpread reads domain totals instead of walking every node each cycle.
   */
  private readonly domainTotalsByGroup: (Map<number, Float64Array> | undefined)[] = [];
  /**
   * perf: the cpu / memory / pods allocatable and requests of each node packed in one cache line
   * (see {@link Hot}), kept in step with the NodeTable's strided columns by addPod / removePod.
   * The hot kernels read one line per node instead of three arrays (which, being allocated
   * together, also alias in the L1 cache).
   */
  readonly hot: Float64Array;
  /**
   * The nodes whose line of {@link hot} was rewritten, in order: change number c (counting from
   * 0) is at hotLog[c % HOT_LOG_SIZE], and {@link hotChanges} changes have been made so far.
   * Scores computed from a node's hot line alone stay valid until the node appears in the log
   * (see NodeScoreMemo, which replays the log).
   */
  readonly hotLog = new Int32Array(HOT_LOG_SIZE);
  /** Hot-line rewrites so far (see {@link hotLog}). */
  hotChanges = 0;
  /** Bumped on every change; lets per-cycle caches know when to rebuild. */
  generation = 0;
  /** The PodDisruptionBudgets preemption respects (null: none). */
  budgets: PreemptionBudgets | null = null;
  /**
   * The nominator: each preemptor and its nominated node (status.nominatedNodeName). A nominated
   * pod is also assumed on that node in this cache (see KubeScheduler), except during its own
   * cycle and during the cycles of pods of higher priority, which ignore the nomination.
   */
  readonly nominated = new Map<number, number>();
  /**
   * Interned `node.kubernetes.io/not-ready`: a node whose `ready` flag is 0 is treated as
   * carrying this NoSchedule taint. model: the node lifecycle controller's TaintNodesByCondition
   * (pkg/controller/nodelifecycle, v1.TaintNodeNotReady).
   */
  readonly notReadyTaintKey: number;
  /**
   * The nodes that exist (NodeTable `present`), in table order, or null when all do; and how
   * many. Rows reserved for nodes that join later are not in the snapshot upstream schedules on.
   */
  presentNodes: Int32Array | null = null;
  presentCount = 0;
  /**
   * perf: ImageLocality's per-image node counts, kept by diffing the image bitset of the nodes
   * marked dirty against a snapshot instead of walking every node each cycle. A node's images
   * change only when its kubelet pulls for a pod bound there, so the scheduler marks a node dirty
   * when it assigns a pod and when it sees a pod's status change there (see markImagesDirty).
   */
  private imageSnap: Uint32Array;
  private imageCountsArr: Int32Array;
  private readonly imageDirty: Uint8Array;
  private dirtyList: number[] = [];
  /** Interned `node.kubernetes.io/unschedulable` (v1.TaintNodeUnschedulable). */
  readonly unschedulableTaintKey: number;

  constructor(
    nodes: NodeTable,
    labels: Interner,
    resources: Interner,
    images: Interner,
    imageSizes: readonly number[],
  ) {
    this.nodes = nodes;
    this.labels = labels;
    this.resources = resources;
    this.images = images;
    this.imageSizes = [...imageSizes];
    this.index = new NodeLabelIndex(nodes, labels);
    this.affinityPodsOnNode = new Int32Array(nodes.size);
    this.requiredAntiPodsOnNode = new Int32Array(nodes.size);
    this.usedPorts = new Array<UsedPorts | undefined>(nodes.size).fill(undefined);
    this.nodeHead = new Int32Array(nodes.size).fill(-1);
    this.imageSnap = new Uint32Array(0);
    this.imageCountsArr = new Int32Array(0);
    this.imageDirty = new Uint8Array(nodes.size);
    this.refreshPresence();
    this.hot = new Float64Array(nodes.size * HOT_STRIDE);
    for (let i = 0; i < nodes.size; i++) this.refreshHot(i);
    this.notReadyTaintKey = labels.intern("node.kubernetes.io/not-ready");
    this.unschedulableTaintKey = labels.intern("node.kubernetes.io/unschedulable");
  }

  /** Marks a node whose image set may have changed since the counts were taken. */
  markImagesDirty(node: number): void {
    if (this.imageDirty[node] === 1) return;
    this.imageDirty[node] = 1;
    this.dirtyList.push(node);
  }

  /** Present nodes holding image `id` (upstream ImageStateSummary.NumNodes). */
  imageNodeCount(id: number): number {
    const { imageWords: w, imageBits: bits, present: pres } = this.nodes;
    const { imageSnap: snap, imageCountsArr: counts } = this;
    for (const node of this.dirtyList) {
      this.imageDirty[node] = 0;
      if (pres[node] !== 1) continue;
      for (let k = 0; k < w; k++) {
        const o = node * w + k;
        const cur = bits[o]!;
        let diff = cur ^ snap[o]!;
        while (diff !== 0) {
          const b = 31 - Math.clz32(diff);
          counts[k * 32 + b]! += (cur >>> b) & 1 ? 1 : -1;
          diff &= ~(1 << b);
        }
        snap[o] = cur;
      }
    }
    this.dirtyList.length = 0;
    return counts[id] ?? 0;
  }

  /** Recounts every image over the present nodes. */
  private recountImages(): void {
    const nodes = this.nodes;
    const w = nodes.imageWords;
    const pres = nodes.present;
    this.imageSnap = new Uint32Array(nodes.imageBits.length);
    this.imageCountsArr = new Int32Array(w * 32);
    for (let i = 0; i < nodes.size; i++) {
      if (pres[i] !== 1) continue;
      for (let k = 0; k < w; k++) {
        let v = nodes.imageBits[i * w + k]!;
        this.imageSnap[i * w + k] = v;
        while (v !== 0) {
          const b = 31 - Math.clz32(v);
          this.imageCountsArr[k * 32 + b]!++;
          v &= ~(1 << b);
        }
      }
    }
    for (const node of this.dirtyList) this.imageDirty[node] = 0;
    this.dirtyList.length = 0;
  }

  /** Re-reads which nodes exist (call after nodes join). */
  refreshPresence(): void {
    this.recountImages();
    const p = this.nodes.present;
    let n = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === 1) n++;
    this.presentCount = n;
    if (n === p.length) {
      this.presentNodes = null;
      return;
    }
    const list = new Int32Array(n);
    for (let i = 0, k = 0; i < p.length; i++) if (p[i] === 1) list[k++] = i;
    this.presentNodes = list;
  }

  /** Copies node `node`'s cpu / memory / pods columns from the NodeTable into {@link hot}. */
  refreshHot(node: number): void {
    const t = this.nodes;
    const R = t.resourceCount;
    const h = this.hot;
    const o = node * HOT_STRIDE;
    h[o + Hot.allocCpu] = t.allocatable[node * R + Res.cpu]!;
    h[o + Hot.allocMem] = t.allocatable[node * R + Res.memory]!;
    h[o + Hot.allocPods] = t.allocatable[node * R + Res.pods]!;
    h[o + Hot.reqCpu] = t.requested[node * R + Res.cpu]!;
    h[o + Hot.reqMem] = t.requested[node * R + Res.memory]!;
    h[o + Hot.reqPods] = t.requested[node * R + Res.pods]!;
    h[o + Hot.nzCpu] = t.nonZeroRequested[node * 2]!;
    h[o + Hot.nzMem] = t.nonZeroRequested[node * 2 + 1]!;
    this.hotLog[this.hotChanges % HOT_LOG_SIZE] = node;
    this.hotChanges++;
  }

  /** Registers a pod group and returns its id. */
  addGroup(spec: PodSpec): number {
    const g = this.groups.length;
    this.groups.push(spec);
    this.terminatingGroup.push(false);
    this.twinOf.push(-1);
    this.groupCounts.push(undefined);
    this.domainTotalsByGroup.push(undefined);
    if (hasPodAffinity(spec)) this.groupsWithAffinity.push(g);
    if (spec.antiRequired.length > 0) this.groupsWithRequiredAnti.push(g);
    return g;
  }

  /** Pods of group `g` on `node`. */
  count(g: number, node: number): number {
    const c = this.groupCounts[g];
    return c === undefined ? 0 : c[node]!;
  }

  /** The node of pod `pod` in the cache, -1 if none. */
  nodeOf(pod: number): number {
    return pod < this.podRows.capacity ? this.podRows.node[pod]! : -1;
  }

  groupOf(pod: number): number {
    return pod < this.podRows.group.length ? this.podRows.group[pod]! : -1;
  }

  startOf(pod: number): number {
    return this.podRows.start[pod]!;
  }

  /** The pod is terminating because the scheduler preempted it (default_preemption.go podTerminatingByPreemption). */
  terminatingByPreemption(pod: number): boolean {
    return this.terminatingGroup[this.groupOf(pod)] === true && this.podRows.preempted[pod] === 1;
  }

  /** The priority of pod `pod` in the cache. */
  priorityOf(pod: number): number {
    return this.groups[this.groupOf(pod)]!.priority;
  }

  /** Adds pod `pod` of group `g` to `node` (assume, or an observed binding): resources, counts, ports. */
  addPod(pod: number, g: number, node: number, nowNs: number): void {
    this.podRows.ensureRow(pod);
    if (this.podRows.node[pod] !== -1)
      throw new Error(`scheduler cache: pod ${pod} is already on node ${this.podRows.node[pod]}`);
    const s = this.groups[g]!;
    this.nodes.account(node, s.requests, s.nonZeroCpuMilli, s.nonZeroMemBytes, 1);
    this.refreshHot(node);
    this.markImagesDirty(node);
    this.bump(g, node, s, 1);
    this.podRows.node[pod] = node;
    this.podRows.group[pod] = g;
    this.podRows.start[pod] = nowNs;
    const head = this.nodeHead[node]!;
    this.podRows.next[pod] = head;
    this.podRows.prev[pod] = -1;
    if (head !== -1) this.podRows.prev[head] = pod;
    this.nodeHead[node] = pod;
    this.generation++;
  }

  /**
   * Pod `pod`, on a node in the cache, has started terminating: it moves to its group's
   * terminating twin (created on first use), keeping its node, resources and start time.
   * A pod already terminating stays where it is. `byPreemption`: its DisruptionTarget reason is
   * PreemptionByScheduler.
   */
  markTerminating(pod: number, byPreemption = false): void {
    const g = this.groupOf(pod);
    const node = this.nodeOf(pod);
    if (node < 0) return;
    if (byPreemption) this.podRows.preempted[pod] = 1;
    if (this.terminatingGroup[g]) return;
    let twin = this.twinOf[g]!;
    if (twin < 0) {
      twin = this.addGroup(this.groups[g]!);
      this.terminatingGroup[twin] = true;
      this.twinOf[g] = twin;
    }
    const spec = this.groups[g]!;
    this.bump(g, node, spec, -1);
    this.bump(twin, node, spec, 1);
    this.podRows.group[pod] = twin;
    this.generation++;
  }

  /** Removes a pod from its node (forget after a failed bind, or a deletion). */
  removePod(pod: number): void {
    const node = this.nodeOf(pod);
    if (node < 0) throw new Error(`scheduler cache: pod ${pod} is on no node`);
    const g = this.podRows.group[pod]!;
    const s = this.groups[g]!;
    this.nodes.account(node, s.requests, s.nonZeroCpuMilli, s.nonZeroMemBytes, -1);
    this.refreshHot(node);
    this.bump(g, node, s, -1);
    const next = this.podRows.next[pod]!;
    const prev = this.podRows.prev[pod]!;
    if (prev !== -1) this.podRows.next[prev] = next;
    else this.nodeHead[node] = next;
    if (next !== -1) this.podRows.prev[next] = prev;
    this.podRows.node[pod] = -1;
    this.generation++;
  }

  /** Pods on `node`, most recently added first. */
  podsOn(node: number): number[] {
    const out: number[] = [];
    for (let p = this.nodeHead[node]!; p !== -1; p = this.podRows.next[p]!) out.push(p);
    return out;
  }

  /**
   * Groups whose labels `sel` matches, among groups in `namespaces` (all when null); with
   * `live`, only groups of pods that are not terminating.
   */
  matchingGroups(
    sel: LabelSelector,
    namespaces: ReadonlySet<string> | null,
    out: number[] = [],
    live = false,
  ): number[] {
    out.length = 0;
    const num = this.index.numeric;
    for (let g = 0; g < this.groups.length; g++) {
      if (live && this.terminatingGroup[g]) continue;
      const s = this.groups[g]!;
      if (namespaces !== null && !namespaces.has(s.namespace)) continue;
      if (selectorMatches(sel, s.labels, num)) out.push(g);
    }
    return out;
  }

  /** Pods of group `g` per domain of topology `key` (last slot: nodes lacking the key). Do not modify. */
  domainTotals(g: number, key: number): Float64Array {
    let m = this.domainTotalsByGroup[g];
    if (m === undefined) {
      m = new Map();
      this.domainTotalsByGroup[g] = m;
    }
    let a = m.get(key);
    if (a !== undefined) return a;
    const d = this.index.domains(key);
    a = new Float64Array(d.count + 1);
    const c = this.groupCounts[g];
    if (c !== undefined) {
      const dom = d.domainOf;
      for (let i = 0; i < c.length; i++) if (c[i]! > 0) a[dom[i]! < 0 ? d.count : dom[i]!]! += c[i]!;
    }
    m.set(key, a);
    return a;
  }

  /** Pods on the node, as upstream's len(NodeInfo.Pods). */
  podCount(node: number): number {
    return this.nodes.requested[node * this.nodes.resourceCount + Res.pods]!;
  }

  private bump(g: number, node: number, s: PodSpec, d: 1 | -1): void {
    let c = this.groupCounts[g];
    if (c === undefined) {
      c = new Uint16Array(this.nodes.size);
      this.groupCounts[g] = c;
    } else if (d === 1 && c[node] === 0xffff && c instanceof Uint16Array) {
      // kubelet maxPods is an int32: nothing bounds one node's pods of a group below 2^16.
      c = Uint32Array.from(c);
      this.groupCounts[g] = c;
    }
    c[node]! += d;
    const totals = this.domainTotalsByGroup[g];
    if (totals !== undefined) {
      for (const [key, a] of totals) {
        const dom = this.index.domains(key);
        const x = dom.domainOf[node]!;
        a[x < 0 ? dom.count : x]! += d;
      }
    }
    if (hasPodAffinity(s)) this.affinityPodsOnNode[node]! += d;
    if (s.antiRequired.length > 0) this.requiredAntiPodsOnNode[node]! += d;
    if (s.hostPorts.length > 0) {
      let used = this.usedPorts[node];
      if (used === undefined) {
        used = new Map();
        this.usedPorts[node] = used;
      }
      for (const p of s.hostPorts) {
        if (p.port <= 0) continue;
        const ip = p.ip === "" ? ALL_IPS : p.ip;
        const pp = `${p.protocol === "" ? "TCP" : p.protocol}/${p.port}`;
        let m = used.get(ip);
        if (m === undefined) {
          m = new Map();
          used.set(ip, m);
        }
        m.set(pp, (m.get(pp) ?? 0) + d);
      }
    }
  }
}
