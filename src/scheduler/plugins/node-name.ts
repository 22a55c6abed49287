import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import { CachePlugin, ClusterEvent, NodeChange, type NodeEventRef } from "../plugin.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";

/** model: plugins/nodename/node_name.go ErrReason. */
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** NodeName: a pod with spec.nodeName fits only that node (UnschedulableAndUnresolvable elsewhere). */
export class NodeName extends CachePlugin implements fw.FilterPlugin, fw.EnqueueExtensions {
  static readonly points: readonly fw.PointsOf<NodeName>[] = ["filter"];
  readonly name = "NodeName";

  filterNodes(_s: CycleState, pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    const want = pod.spec.nodeName;
    if (want === "") return n;
    const target = this.cache.index.nodeByName.get(want) ?? -1;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      if (node === target) cand[k++] = node;
      else {
        rj.code[node] = Code.UnschedulableAndUnresolvable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(_s: CycleState, pod: fw.PodRef, node: number): Status {
    const want = pod.spec.nodeName;
    if (want === "" || want === this.cache.nodes.names[node]) return SUCCESS;
    return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_NAME);
  }

  /** model: node_name.go isSchedulableAfterNodeAdd: Node/Add queues the pod when the node is the one it names. */
  isSchedulableAfter(event: ClusterEvent, pod: fw.PodRef, _o: PodSpec | null, node: NodeEventRef | null): boolean {
    if (event !== ClusterEvent.NodeChange || node === null || (node.change & NodeChange.added) === 0) return false;
    return pod.spec.nodeName === "" || pod.spec.nodeName === this.cache.nodes.names[node.node];
  }
}
