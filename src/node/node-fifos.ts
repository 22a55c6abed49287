import { columnTable } from "../core/column-table.js";

/** The end-of-queue link. */
export const NONE = -1;

/**
 * One FIFO queue per node of pooled rows (CNI ADDs, image pulls, status writes waiting for
 * their turn), each an intrusive singly linked list threaded through the owner's `next` column:
 * O(1) push and shift, nothing allocated.
 *
 * Contract: a row is in at most one queue at a time. `next` is passed at each call (not kept)
 * because a pool's columns are replaced when it grows; {@link push} sets the row's link.
 * perf: per-node Int32 columns (a node's row is its index; the table never grows); the methods
 * are small enough to inline at their call sites.
 */
export class NodeFifos extends columnTable({
  head: { type: "Int32", unset: NONE },
  tail: { type: "Int32", unset: NONE },
  /** Rows queued now. */
  length: "Int32",
}) {
  constructor(nodeCount: number) {
    super(nodeCount);
  }

  /** Appends `row` to `node`'s queue. */
  push(node: number, row: number, next: Int32Array): void {
    next[row] = NONE;
    const t = this.tail[node]!;
    if (t === NONE) this.head[node] = row;
    else next[t] = row;
    this.tail[node] = row;
    this.length[node]!++;
  }

  /** Removes and returns the row at the head of `node`'s queue, or {@link NONE} when it is empty. */
  shift(node: number, next: Int32Array): number {
    const row = this.head[node]!;
    if (row === NONE) return NONE;
    const after = next[row]!;
    this.head[node] = after;
    if (after === NONE) this.tail[node] = NONE;
    this.length[node]!--;
    return row;
  }

  /** Empties `node`'s queue (its rows' links are left as they are). */
  clear(node: number): void {
    this.head[node] = NONE;
    this.tail[node] = NONE;
    this.length[node] = 0;
  }
}
