import type { NodeIdx, PodIdx } from "../cluster/ids.js";
import { columnTable } from "../core/column-table.js";

const NONE = -1;

/** Per-pod list links: the next and previous pod on the same node, and the node listed under. */
const PodLinks = columnTable({
  next: { type: "Int32", unset: NONE },
  prev: { type: "Int32", unset: NONE },
  nodeOf: { type: "Int32", unset: NONE },
});

/**
 * The pods bound to each node, as the API holds them (spec.nodeName), kept as one intrusive
 * doubly linked list per node: O(1) add and remove, and a walk over a node's pods without
 * scanning the PodTable. Node-side components (kubectl drain, the taint-eviction controller)
 * list a node's pods through it.
 * perf: three Int32Array columns over pods plus a head per node; no objects per pod.
 */
export class PodsByNode {
  private readonly links = new PodLinks(1024);
  private readonly head: Int32Array;
  private readonly count: Int32Array;

  constructor(nodeCount: number) {
    this.head = new Int32Array(nodeCount).fill(NONE);
    this.count = new Int32Array(nodeCount);
  }

  /** The node `pod` is listed under, -1 if none. */
  node(pod: PodIdx): NodeIdx {
    return pod < this.links.capacity ? this.links.nodeOf[pod]! : NONE;
  }

  /** Pods listed under `node`. */
  size(node: NodeIdx): number {
    return this.count[node]!;
  }

  /** Lists `pod` under `node` (at the head); a pod already listed anywhere is left as is. */
  add(pod: PodIdx, node: NodeIdx): void {
    this.links.ensureRow(pod);
    if (this.links.nodeOf[pod] !== NONE) return;
    const h = this.head[node]!;
    this.links.next[pod] = h;
    this.links.prev[pod] = NONE;
    if (h !== NONE) this.links.prev[h] = pod;
    this.head[node] = pod;
    this.links.nodeOf[pod] = node;
    this.count[node]!++;
  }

  /** Unlists `pod`; a pod not listed is ignored. */
  remove(pod: PodIdx): void {
    if (pod >= this.links.capacity) return;
    const node = this.links.nodeOf[pod]!;
    if (node === NONE) return;
    const n = this.links.next[pod]!;
    const p = this.links.prev[pod]!;
    if (p !== NONE) this.links.next[p] = n;
    else this.head[node] = n;
    if (n !== NONE) this.links.prev[n] = p;
    this.links.nodeOf[pod] = NONE;
    this.count[node]!--;
  }

  /** The pods of `node` in a new array, most recently listed first (callers may change the lists while walking it). */
  podsOf(node: NodeIdx): number[] {
    const out: number[] = [];
    for (let p = this.head[node]!; p !== NONE; p = this.links.next[p]!) out.push(p);
    return out;
  }
}
