import { columnTable, type RowValues } from "../core/column-table.js";
import { Interner } from "../cluster/interner.js";
import { namesOf, type ValueOf } from "../core/names-of.js";
import type { Column } from "../metrics/arrow-writer.js";

/** Why a row of autoscaler.arrow was written, with the names autoscaler.arrow's `reason` spells. */
export const Reason = {
  /** Pending pods fit on new nodes of the group the expander chose. */
  ScaleUp: 0,
  /** A node did not register within max-node-provision-time: its VM is deleted, the group backs off. */
  ScaleUpTimedOut: 1,
  /** An unneeded node with no pods to move was deleted. */
  ScaleDownEmpty: 2,
  /** An unneeded node under the utilization threshold was drained and deleted. */
  ScaleDownUnderutilized: 3,
  /** A drain could not evict every pod within max-pod-eviction-time: the node is untainted. */
  ScaleDownFailed: 4,
} as const;
export type Reason = ValueOf<typeof Reason>;
export const REASON_NAMES = namesOf(Reason);

/** A row of {@link DecisionLog}, the workloads as their comma-separated list (`""` for none). */
export type Decision = Omit<RowValues<DecisionLog["columnSpec"]>, "workloads"> & { readonly workloads: string };

/**
 * The autoscaler's decisions, one row each (autoscaler.arrow): when, which node group, the
 * change in its target size, why, the target size after, the pending pods that triggered a
 * scale-up (or the pods a scale-down evicts), the workloads they belong to, and for a scale-down
 * the node.
 */
export class DecisionLog extends columnTable({
  timeNs: { type: "Float64", unset: Number.NaN },
  group: { type: "Int32", unset: -1 },
  change: "Int32",
  reason: "Int32",
  groupSize: "Int32",
  pods: "Int32",
  /** The comma-separated workloads of the pods, interned in {@link workloadNames}. */
  workloads: { type: "Int32", unset: -1 },
  node: { type: "Int32", unset: -1 },
}) {
  /** Distinct comma-separated workload lists, by first use. */
  readonly workloadNames = new Interner();
  private readonly reasonNames: readonly string[];

  /** `reasonNames`: the names of the {@link Reason} ids, by id (Karpenter spells them its way). */
  constructor(reasonNames: readonly string[] = REASON_NAMES) {
    super(64);
    this.reasonNames = reasonNames;
  }

  /** Appends a decision. */
  append(d: Decision): void {
    this.addRowOf({ ...d, workloads: this.workloadNames.intern(d.workloads) });
  }

  /** autoscaler.arrow's columns (see README "Output schemas"). */
  columns(groupNames: readonly string[], nodeNames: readonly string[]): { columns: Column[]; rows: number } {
    return {
      columns: [
        this.arrow("timeNs", "int64", "time_ns"),
        this.arrow("group", "dict", "group", 0, groupNames),
        this.arrow("change", "int32", "change"),
        this.arrow("reason", "dict", "reason", 0, this.reasonNames),
        this.arrow("groupSize", "int32", "group_size"),
        this.arrow("pods", "int32", "pods"),
        this.arrow("workloads", "dict", "workloads", 0, this.workloadNames.all()),
        this.arrow("node", "dict", "node", 0, nodeNames),
      ],
      rows: this.size,
    };
  }
}
