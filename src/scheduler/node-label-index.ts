import type { Interner } from "../cluster/interner.js";
import type { NodeTable } from "../cluster/node-table.js";
import { parseIntLabel } from "./label-selector.js";

/**
 * The topology domains of one label key: each node's dense domain index (-1 when the node lacks
 * the key) and the label value id of each domain.
 */
export interface Domains {
  readonly key: number;
  /** Domain index per node, -1 when the node has no such label. */
  readonly domainOf: Int32Array;
  /** Number of distinct values (domains). */
  readonly count: number;
  /** Label value id of each domain. */
  readonly values: Int32Array;
  /** Nodes without the key. */
  readonly missing: number;
}

/**
 * Column views of the NodeTable's interned labels: for a key, every node's value id in one
 * Int32Array, and dense domain indices for topology keys. Node labels do not change during a
 * run, so each column is built once on first use.
 * perf: turns the CSR scan per (node, key) of the hot loops into one typed-array load.
 */
export class NodeLabelIndex {
  readonly nodes: NodeTable;
  readonly labels: Interner;
  private readonly columns = new Map<number, Int32Array>();
  private readonly domainsByKey = new Map<number, Domains>();
  private readonly numbers = new Map<number, number>();
  /** Node index by name. */
  readonly nodeByName = new Map<string, number>();
  /** perf: a bound function, so that callers pass it without allocating per call. */
  readonly numeric = (id: number): number => this.numberOf(id);

  constructor(nodes: NodeTable, labels: Interner) {
    this.nodes = nodes;
    this.labels = labels;
    for (let i = 0; i < nodes.size; i++) this.nodeByName.set(nodes.names[i]!, i);
  }

  /** Every node's value id for `key` (-1 where absent). Do not modify. */
  column(key: number): Int32Array {
    let col = this.columns.get(key);
    if (col !== undefined) return col;
    const n = this.nodes.size;
    col = new Int32Array(n).fill(-1);
    const start = this.nodes.labelStart;
    const keys = this.nodes.labelKey;
    const vals = this.nodes.labelValue;
    for (let i = 0; i < n; i++) {
      for (let j = start[i]!, e = start[i + 1]!; j < e; j++) {
        if (keys[j] === key) {
          col[i] = vals[j]!;
          break;
        }
      }
    }
    this.columns.set(key, col);
    return col;
  }

  /** Dense topology domains of `key`, numbered in order of first appearance in node order. */
  domains(key: number): Domains {
    let d = this.domainsByKey.get(key);
    if (d !== undefined) return d;
    const col = this.column(key);
    const n = col.length;
    const domainOf = new Int32Array(n).fill(-1);
    const byValue = new Map<number, number>();
    const values: number[] = [];
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (v < 0) {
        missing++;
        continue;
      }
      let dom = byValue.get(v);
      if (dom === undefined) {
        dom = values.length;
        byValue.set(v, dom);
        values.push(v);
      }
      domainOf[i] = dom;
    }
    d = { key, domainOf, count: values.length, values: Int32Array.from(values), missing };
    this.domainsByKey.set(key, d);
    return d;
  }

  /** The integer a label value id spells, NaN when it is not a decimal integer. */
  numberOf(id: number): number {
    let x = this.numbers.get(id);
    if (x === undefined) {
      x = parseIntLabel(this.labels.name(id));
      this.numbers.set(id, x);
    }
    return x;
  }

  /** Whether `node` carries every key in `keys`. */
  hasAllKeys(node: number, keys: readonly number[]): boolean {
    for (const k of keys) if (this.column(k)[node]! < 0) return false;
    return true;
  }
}
