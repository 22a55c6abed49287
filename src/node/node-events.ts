import type { Interner } from "../cluster/interner.js";
import type { NodeIdx } from "../cluster/ids.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodReason, type PodTable } from "../cluster/pod-table.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { ApiServer } from "../apiserver/api-server.js";
import { PodDelete } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import type { WorkloadAction } from "../scenario/sections/workload.js";
import type { AllRunningCondition } from "../sim/all-running.js";
import type { Kubelets } from "./kubelet.js";
import { inPool, selectNodes } from "./node-selection.js";
import type { PodsByNode } from "./pods-by-node.js";

/** model: (assumed) size of a policy/v1 Eviction request body. */
const EVICTION_BYTES = 300;

/** A workload step that takes capacity away: the run reports how long the cluster took to recover. */
export interface Disruption {
  kind: "drain" | "failNodes";
  atNs: number;
  nodes: readonly NodeIdx[];
}

/** Hears of node-side changes (Ready, cordon, join): upstream, a Node update event the scheduler handles. */
export interface NodeChangeListener {
  onNodeChanged(node: NodeIdx): void;
}

/** What {@link NodeEvents} is built from. */
export interface NodeEventsDeps {
  engine: Engine;
  nodes: NodeTable;
  pods: PodTable;
  labels: Interner;
  api: ApiServer;
  kubelets: Kubelets;
  podsByNode: PodsByNode;
  /** Told of every node change (the scheduler). */
  nodeChanges: NodeChangeListener;
  /** Waits for the drains' evictions to be answered before judging "all Running". */
  allRunning: AllRunningCondition;
}

/**
 * The node events of a workload: `addNodes`, `cordon`, `uncordon`, `drain`, `failNodes`.
 *
 * model:
 * - cordon / uncordon: kubectl sets / clears spec.unschedulable; the Node object's API round
 *   trip is not modelled (there is no nodes resource in the simulated API), so the change takes
 *   effect at the step's time.
 * - drain: kubectl drain cordons the nodes, lists their pods and evicts them all at once (one
 *   goroutine per pod, staging/src/k8s.io/kubectl/pkg/drain/drain.go evictPods) through
 *   kubectl's own client-side limiter; each eviction (policy/v1 Eviction, no PodDisruptionBudget
 *   modelled) is a graceful delete. The kubelet then stops the pod and deletes it; the
 *   ReplicaSet replaces it as soon as it sees the deletionTimestamp.
 * - failNodes: the nodes' kubelets stop; the node lifecycle controller takes over (NotReady after the grace
 *   period, rate-limited NoExecute taints, evictions after the toleration).
 * - addNodes: reserved rows of the pool (NodeSpec.absent) join, Ready at once.
 */
export class NodeEvents {
  readonly disruptions: Disruption[] = [];
  /** Evictions kubectl sent (drain), and those not yet answered. */
  drainEvictions = 0;
  drainPending = 0;
  private readonly d: NodeEventsDeps;
  private readonly kEvicted: EventKind;

  constructor(d: NodeEventsDeps) {
    this.d = d;
    const allRunning = d.allRunning;
    allRunning.awaitSettled(this);
    this.kEvicted = d.engine.register("kubectl.evicted", () => {
      if (--this.drainPending === 0) allRunning.settled();
    });
  }

  /** Drain evictions not yet answered (the stop condition waits for 0). */
  get pending(): number {
    return this.drainPending;
  }

  /** Carries out a node event now; `kubectl` is the API client of kubectl. Other actions throw. */
  apply(action: WorkloadAction, kubectl: number): void {
    const nodes = this.d.nodes;
    switch (action.kind) {
      case "addNodes": {
        let added = 0;
        for (let i = 0; i < nodes.size && added < action.count; i++) {
          if (nodes.present[i] === 1 || !inPool(nodes.names[i]!, action.pool)) continue;
          nodes.present[i] = 1;
          nodes.ready[i] = 1;
          added++;
          this.d.nodeChanges.onNodeChanged(i);
        }
        if (added < action.count) {
          throw new SimulationError(
            "node-events",
            this.d.engine.now,
            `addNodes: pool ${action.pool} has room for ${added} more nodes, not ${action.count}: the NodeTable must reserve absent rows (see src/node/node-selection.ts addedNodeCount)`,
          );
        }
        return;
      }
      case "cordon":
      case "uncordon": {
        const v = action.kind === "cordon" ? 1 : 0;
        for (const node of selectNodes(nodes, this.d.labels, action.nodes)) {
          nodes.unschedulable[node] = v;
          this.d.nodeChanges.onNodeChanged(node);
        }
        return;
      }
      case "drain": {
        const list = selectNodes(nodes, this.d.labels, action.nodes);
        for (const node of list) {
          nodes.unschedulable[node] = 1;
          this.d.nodeChanges.onNodeChanged(node);
        }
        for (const node of list) {
          for (const pod of this.d.podsByNode.podsOf(node)) {
            if (this.d.pods.isTerminating(pod)) continue;
            this.d.pods.reason[pod] = PodReason.EvictionByEvictionAPI;
            this.drainEvictions++;
            this.drainPending++;
            this.d.api.submit(
              kubectl,
              Verb.delete,
              Resource.pods,
              pod,
              PodDelete.graceful,
              EVICTION_BYTES,
              this.kEvicted,
              pod,
            );
          }
        }
        this.disruptions.push({ kind: "drain", atNs: this.d.engine.now, nodes: list });
        return;
      }
      case "failNodes": {
        const list = selectNodes(nodes, this.d.labels, action.nodes, (node) => this.d.kubelets.down[node] === 0);
        for (const node of list) this.d.kubelets.failNode(node);
        this.disruptions.push({ kind: "failNodes", atNs: this.d.engine.now, nodes: list });
        return;
      }
      default:
        throw new SimulationError("node-events", this.d.engine.now, `${action.kind} is not a node event`);
    }
  }
}
