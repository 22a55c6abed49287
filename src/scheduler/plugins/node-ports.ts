import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin, ClusterEvent, NodeChange, type NodeEventRef } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import { portConflicts } from "../scheduler-cache.js";
import { Code, rejected, SKIP, SUCCESS, type Status } from "../status.js";

/** model: plugins/nodeports/node_ports.go ErrReason. */
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

/**
 * NodePorts: a node whose pods already hold one of the pod's host ports (same protocol and port,
 * on the same IP or 0.0.0.0) is Unschedulable. PreFilter skips pods without host ports.
 */
export class NodePorts extends CachePlugin implements fw.PreFilterPlugin, fw.FilterPlugin, fw.EnqueueExtensions {
  static readonly points: readonly fw.PointsOf<NodePorts>[] = ["preFilter", "filter"];
  readonly name = "NodePorts";

  preFilter(_s: CycleState, pod: fw.PodRef): Status {
    return pod.spec.hostPorts.length === 0 ? SKIP : SUCCESS;
  }

  private fits(pod: fw.PodRef, node: number): boolean {
    const used = this.cache.usedPorts[node];
    if (used === undefined) return true;
    for (const p of pod.spec.hostPorts) if (portConflicts(used, p)) return false;
    return true;
  }

  filterNodes(_s: CycleState, pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      if (this.fits(pod, node)) cand[k++] = node;
      else {
        rj.code[node] = Code.Unschedulable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(_s: CycleState, pod: fw.PodRef, node: number): Status {
    return this.fits(pod, node) ? SUCCESS : rejected(Code.Unschedulable, ERR_REASON_NODE_PORTS);
  }

  /**
   * model: node_ports.go EventsToRegister: an assigned pod's deletion queues the pod when that
   * pod used host ports (isSchedulableAfterPodDeleted); Node/Add and Node/Update have no hint
   * (always queue); Node/Delete is not registered.
   */
  isSchedulableAfter(event: ClusterEvent, _pod: fw.PodRef, other: PodSpec | null, node: NodeEventRef | null): boolean {
    if (event === ClusterEvent.NodeChange) return node === null || (node.change & NodeChange.deleted) === 0;
    return event === ClusterEvent.AssignedPodDelete && other !== null && other.hostPorts.length > 0;
  }
}
