import type { NodeIdx, PodIdx } from "../cluster/ids.js";
import { growI32 } from "../core/grow.js";

const NONE = -1;

/**
 * The pods bound to each node, as the API holds them (spec.nodeName), kept as one intrusive
 * doubly linked list per node: O(1) add and remove, and a walk over a node's pods without
 * scanning the PodTable. Node-side components (kubectl drain, the taint-eviction controller)
 * list a node's pods through it.
 * perf: three Int32Array columns over pods plus a head per node; no objects per pod.
 */
export class PodsByNode {
  private next = new Int32Array(1024).fill(NONE);
  private prev = new Int32Array(1024).fill(NONE);
  private nodeOf = new Int32Array(1024).fill(NONE);
  private readonly head: Int32Array;
  private readonly count: Int32Array;

  constructor(nodeCount: number) {
    this.head = new Int32Array(nodeCount).fill(NONE);
    this.count = new Int32Array(nodeCount);
  }

  /** The node `pod` is listed under, -1 if none. */
  node(pod: PodIdx): NodeIdx {
    return pod < this.nodeOf.length ? this.nodeOf[pod]! : NONE;
  }

  /** Pods listed under `node`. */
  size(node: NodeIdx): number {
    return this.count[node]!;
  }

  /** Lists `pod` under `node` (at the head); a pod already listed anywhere is left as is. */
  add(pod: PodIdx, node: NodeIdx): void {
    this.ensure(pod);
    if (this.nodeOf[pod] !== NONE) return;
    const h = this.head[node]!;
    this.next[pod] = h;
    this.prev[pod] = NONE;
    if (h !== NONE) this.prev[h] = pod;
    this.head[node] = pod;
    this.nodeOf[pod] = node;
    this.count[node]!++;
  }

  /** Unlists `pod`; a pod not listed is ignored. */
  remove(pod: PodIdx): void {
    if (pod >= this.nodeOf.length) return;
    const node = this.nodeOf[pod]!;
    if (node === NONE) return;
    const n = this.next[pod]!;
    const p = this.prev[pod]!;
    if (p !== NONE) this.next[p] = n;
    else this.head[node] = n;
    if (n !== NONE) this.prev[n] = p;
    this.nodeOf[pod] = NONE;
    this.count[node]!--;
  }

  /** The pods of `node` in a new array, most recently listed first (callers may change the lists while walking it). */
  podsOf(node: NodeIdx): number[] {
    const out: number[] = [];
    for (let p = this.head[node]!; p !== NONE; p = this.next[p]!) out.push(p);
    return out;
  }

  private ensure(pod: PodIdx): void {
    if (pod < this.nodeOf.length) return;
    let cap = this.nodeOf.length;
    while (cap <= pod) cap *= 2;
    this.next = growI32(this.next, cap, NONE);
    this.prev = growI32(this.prev, cap, NONE);
    this.nodeOf = growI32(this.nodeOf, cap, NONE);
  }
}
