import { TaintEffect } from "../../cluster/node-table.js";
import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import { CachePlugin, ClusterEvent, NodeChange, type NodeEventRef } from "../plugin.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";
import { byteColumn, bytesAllEqual, contiguousRun, tolerates, type ByteColumn } from "./helper.js";

/** model: plugins/nodeunschedulable/node_unschedulable.go ErrReasonUnschedulable. */
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) rejects pods that do not tolerate the
 * `node.kubernetes.io/unschedulable:NoSchedule` taint, as UnschedulableAndUnresolvable.
 */
export class NodeUnschedulable extends CachePlugin implements fw.FilterPlugin, fw.EnqueueExtensions {
  static readonly points: readonly fw.PointsOf<NodeUnschedulable>[] = ["filter"];
  readonly name = "NodeUnschedulable";

  /** The NodeTable's unschedulable column, with a word view for whole-run checks. */
  private readonly cordoned: ByteColumn;

  constructor(h: fw.Handle) {
    super(h);
    this.cordoned = byteColumn(h.cache.nodes.unschedulable);
  }

  private toleratesCordon(pod: fw.PodRef): boolean {
    return tolerates(pod.spec.tolerations, this.cache.unschedulableTaintKey, -1, TaintEffect.NoSchedule);
  }

  filterNodes(_s: CycleState, pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    if (this.toleratesCordon(pod)) return n;
    const u = this.cache.nodes.unschedulable;
    // perf: a run of nodes none of which is cordoned passes whole (a word-wide scan).
    if (contiguousRun(cand, n) && bytesAllEqual(this.cordoned, cand[0]!, cand[0]! + n, 0)) return n;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      if (u[node] === 0) cand[k++] = node;
      else {
        rj.code[node] = Code.UnschedulableAndUnresolvable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(_s: CycleState, pod: fw.PodRef, node: number): Status {
    if (this.cache.nodes.unschedulable[node] === 0 || this.toleratesCordon(pod)) return SUCCESS;
    return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE);
  }

  /**
   * model: node_unschedulable.go isSchedulableAfterNodeChange: Node/Add or UpdateNodeTaint
   * queues the pod when the node is schedulable now and was not before (an added node that is
   * not cordoned, or an uncordon).
   */
  isSchedulableAfter(event: ClusterEvent, _p: fw.PodRef, _o: PodSpec | null, node: NodeEventRef | null): boolean {
    if (event !== ClusterEvent.NodeChange || node === null) return false;
    if ((node.change & NodeChange.uncordoned) !== 0) return true;
    return (node.change & NodeChange.added) !== 0 && this.cache.nodes.unschedulable[node.node] === 0;
  }
}
