import type { NodeGroup } from "../node-groups.js";

/**
 * One way to scale up (upstream expander.Option): a node group, how many of its nodes the
 * binpacking estimate needs, and the pending pods they would hold.
 */
export interface ScaleUpOption {
  group: NodeGroup;
  nodeCount: number;
  /** The pods the new nodes would hold, by pod row. */
  pods: readonly number[];
  /** The rows the estimate placed them on, in the order it opened them. */
  rows: readonly number[];
  /** Sum of those pods' cpu (milli) and memory (bytes) requests. */
  cpuMilli: number;
  memBytes: number;
}

/**
 * An expander strategy (upstream expander.Filter): the best options by its criterion, ties
 * kept; the random strategy then picks one of them.
 */
export type ExpanderFilter = (options: readonly ScaleUpOption[]) => ScaleUpOption[];

/** The options whose `score` is lowest (all of them when they tie). */
export function lowest(options: readonly ScaleUpOption[], score: (o: ScaleUpOption) => number): ScaleUpOption[] {
  let best = Number.POSITIVE_INFINITY;
  let out: ScaleUpOption[] = [];
  for (const o of options) {
    const s = score(o);
    if (s < best) {
      best = s;
      out = [o];
    } else if (s === best) out.push(o);
  }
  return out;
}
