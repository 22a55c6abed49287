import type * as fw from "../plugin.js";

/**
 * PrioritySort: higher `.spec.priority` first, then the earlier queue timestamp.
 * model: plugins/queuesort/priority_sort.go Less.
 */
export class PrioritySort implements fw.QueueSortPlugin {
  static readonly points: readonly fw.PointsOf<PrioritySort>[] = ["queueSort"];
  readonly name = "PrioritySort";
  index = -1;

  less(aPriority: number, aTimestampNs: number, bPriority: number, bTimestampNs: number): boolean {
    return aPriority > bPriority || (aPriority === bPriority && aTimestampNs < bTimestampNs);
  }
}
