import { columnTable } from "../core/column-table.js";
import type { ValueOf } from "../core/names-of.js";
import { BUILTIN_RESOURCES } from "./resources.js";
import type { NodeIdx } from "./ids.js";

/** Taint effects, with upstream's spelling. */
export const TaintEffect = { NoSchedule: 0, PreferNoSchedule: 1, NoExecute: 2 } as const;
export type TaintEffect = ValueOf<typeof TaintEffect>;

/** One node as a scenario or a Node manifest describes it, before it enters the table. */
export interface NodeSpec {
  name: string;
  /** Allocatable per resource column (cpu in milli, memory in bytes, pods, ...). */
  allocatable: readonly number[];
  /** Interned (key, value) label ids. */
  labels: readonly (readonly [number, number])[];
  /** Interned (key, value, effect) taints; value -1 when empty. */
  taints: readonly (readonly [number, number, TaintEffect])[];
  /** Interned image ids present on the node at start (pre-pulled). */
  images: readonly number[];
  unschedulable: boolean;
  /** Addresses in the node's pod CIDR available to pods. */
  podCidrSize: number;
  /**
   * A row reserved for a node that joins later (a workload `addNodes` step): it starts absent
   * (`present` 0, `ready` 0) until the node side marks it joined.
   */
  absent?: boolean;
}

/**
 * All nodes as structure-of-arrays (a fixed-size column table: one row per node, never grown).
 * Resource columns are strided: the value of resource r on
 * node n is at `n * resourceCount + r`. Labels and taints are interned ids in flat arrays with
 * per-node offsets (CSR layout); the image cache is a bitset per node.
 * The scheduler's hot loops read these arrays directly.
 */
export class NodeTable extends columnTable({
  /** Allocatable, `resourceCount` per node: resource r of node n at `n * resourceCount + r`. */
  allocatable: "Float64",
  /** Sum of requests of pods assigned (assumed or bound) to each node, strided as `allocatable`. */
  requested: "Float64",
  /**
   * Requests as the scoring plugins count them (cpu, memory per node): a container with no
   * cpu/memory request counts as 100m / 200 MiB. model: pkg/scheduler/util/pod_resources.go
   * DefaultMilliCPURequest = 100, DefaultMemoryRequest = 200 * 1024 * 1024.
   */
  nonZeroRequested: { type: "Float64", unset: 0, width: 2 },
  unschedulable: "Uint8",
  /** 1 while the node is Ready; a failed node is NotReady, a node not yet joined is 0 too. */
  ready: { type: "Uint8", unset: 1 },
  /**
   * 1 once the node exists in the cluster; 0 for rows reserved for nodes that join later
   * (`NodeSpec.absent`). Absent nodes must be skipped like nodes that do not exist (no taint or
   * toleration makes them feasible); the node side sets this when an `addNodes` step runs.
   */
  present: { type: "Uint8", unset: 1 },
  /** Image cache bitset, `imageWords` 32-bit words per node. */
  imageBits: "Uint32",
  /** Free addresses left in each node's pod CIDR. */
  podCidrFree: "Int32",
}) {
  readonly resourceCount: number;
  readonly names: readonly string[];
  readonly labelStart: Int32Array;
  readonly labelKey: Int32Array;
  readonly labelValue: Int32Array;
  readonly taintStart: Int32Array;
  readonly taintKey: Int32Array;
  readonly taintValue: Int32Array;
  readonly taintEffect: Uint8Array;
  readonly imageWords: number;

  constructor(specs: readonly NodeSpec[], resourceCount: number, imageCount: number) {
    if (resourceCount < BUILTIN_RESOURCES) throw new RangeError("resourceCount below the built-in resources");
    const n = specs.length;
    const imageWords = Math.max(1, Math.ceil(imageCount / 32));
    super(Math.max(1, n), { allocatable: resourceCount, requested: resourceCount, imageBits: imageWords });
    this.addRows(n);
    this.resourceCount = resourceCount;
    this.imageWords = imageWords;
    this.names = specs.map((s) => s.name);
    this.labelStart = new Int32Array(n + 1);
    this.taintStart = new Int32Array(n + 1);
    let labels = 0;
    let taints = 0;
    for (const s of specs) {
      labels += s.labels.length;
      taints += s.taints.length;
    }
    this.labelKey = new Int32Array(labels);
    this.labelValue = new Int32Array(labels);
    this.taintKey = new Int32Array(taints);
    this.taintValue = new Int32Array(taints);
    this.taintEffect = new Uint8Array(taints);
    let li = 0;
    let ti = 0;
    for (let i = 0; i < n; i++) {
      const s = specs[i]!;
      for (let r = 0; r < resourceCount; r++) this.allocatable[i * resourceCount + r] = s.allocatable[r] ?? 0;
      this.unschedulable[i] = s.unschedulable ? 1 : 0;
      if (s.absent === true) {
        this.present[i] = 0;
        this.ready[i] = 0;
      }
      this.podCidrFree[i] = s.podCidrSize;
      this.labelStart[i] = li;
      for (const [k, v] of s.labels) {
        this.labelKey[li] = k;
        this.labelValue[li] = v;
        li++;
      }
      this.taintStart[i] = ti;
      for (const [k, v, e] of s.taints) {
        this.taintKey[ti] = k;
        this.taintValue[ti] = v;
        this.taintEffect[ti] = e;
        ti++;
      }
      for (const img of s.images) this.addImage(i, img);
    }
    this.labelStart[n] = li;
    this.taintStart[n] = ti;
  }

  /** The value id of label `key` on `node`, or -1 when the node lacks the label. */
  labelValueOf(node: NodeIdx, key: number): number {
    for (let i = this.labelStart[node]!, end = this.labelStart[node + 1]!; i < end; i++) {
      if (this.labelKey[i] === key) return this.labelValue[i]!;
    }
    return -1;
  }

  hasImage(node: NodeIdx, image: number): boolean {
    return (this.imageBits[node * this.imageWords + (image >>> 5)]! & (1 << (image & 31))) !== 0;
  }

  addImage(node: NodeIdx, image: number): void {
    this.imageBits[node * this.imageWords + (image >>> 5)]! |= 1 << (image & 31);
  }

  /**
   * Adds (sign = 1) or removes (sign = -1) a pod's requests from a node's totals. A pod's request
   * vector carries 1 in the pods column, so pod count is accounted like any resource.
   */
  account(
    node: NodeIdx,
    requests: ArrayLike<number>,
    nonZeroCpuMilli: number,
    nonZeroMemBytes: number,
    sign: 1 | -1,
  ): void {
    const R = this.resourceCount;
    const base = node * R;
    for (let r = 0; r < R; r++) this.requested[base + r]! += sign * (requests[r] ?? 0);
    this.nonZeroRequested[node * 2]! += sign * nonZeroCpuMilli;
    this.nonZeroRequested[node * 2 + 1]! += sign * nonZeroMemBytes;
  }
}
