import {
  POD_NODE_STAGE_COLUMNS,
  POD_PHASE_NAMES,
  POD_STAGE_COLUMNS,
  POD_STAGE_COUNT,
  podReasonName,
} from "../cluster/pod-table.js";
import { Interner } from "../cluster/interner.js";
import type { Simulation } from "../sim/simulation.js";
import type { Column } from "./arrow-writer.js";

/**
 * pods.arrow: one row per pod ever created, straight from the PodTable columns.
 * Columns: pod (name), namespace, deployment, replicaset (for a StatefulSet's pod, its
 * revision `<set>-<hash>`), node (dictionary strings; node null
 * while unscheduled), phase, attempts, then one int64 `<stage>_ns` per lifecycle stage
 * (simulated nanoseconds since the run began; null if the pod never reached the stage): first
 * the stages every pod passes in order (POD_STAGE_COLUMNS), then the node-side ones
 * (POD_NODE_STAGE_COLUMNS: admitted, volumes_ready, ready, terminated), `deletion_ns` (the
 * deletionTimestamp) and `deleted_ns` (removed from etcd). Node-side counters follow:
 * `sandbox_failures` (FailedCreatePodSandBox attempts), `pull_failures`, `bytes_pulled` (bytes
 * the pod's pulls fetched from the registry), `pull_wait_ns` (time its worker waited for
 * pulls), `init_ns` (time its init containers took), `reason` (OutOf<resource>, DeletionByTaintManager,
 * EvictionByEvictionAPI, PreemptionByScheduler), `owner_kind` (the kind of the pod's controller),
 * `priority` (spec.priority) and `nominated_node` (status.nominatedNodeName as stored: the node a
 * preemption nominated, null when none); with scheduling gates, `ungated_ns` (when the pod's last
 * gate was removed: created_ns to it is its gated wait).
 */
export function podColumns(sim: Simulation): { columns: Column[]; rows: number } {
  const pods = sim.pods;
  const n = pods.size;
  const rsList = sim.store.replicaSets;
  const deps = sim.store.deployments;
  const names: string[] = new Array<string>(n);
  const rsIdx = new Int32Array(n);
  const depIdx = new Int32Array(n);
  const nsIdx = new Int32Array(n);
  const namespaces = new Interner();
  for (let p = 0; p < n; p++) {
    const rs = rsList[pods.owner[p]!]!;
    const dep = deps[rs.deployment]!;
    names[p] = sim.podNames.get(p) ?? `${rs.name}-${podSuffix(pods.ordinal[p]!)}`;
    rsIdx[p] = rs.idx;
    depIdx[p] = rs.deployment;
    nsIdx[p] = namespaces.intern(dep.spec.namespace);
  }
  const columns: Column[] = [
    { name: "pod", type: "utf8", values: names },
    { name: "namespace", type: "dict", values: nsIdx, dictionary: namespaces.all() },
    { name: "deployment", type: "dict", values: depIdx, dictionary: deps.map((d) => d.spec.name) },
    { name: "replicaset", type: "dict", values: rsIdx, dictionary: rsList.map((r) => r.name) },
    pods.arrow("node", "dict", "node", 0, sim.nodes.names),
    pods.arrow("phase", "dict", "phase", 0, POD_PHASE_NAMES),
    pods.arrow("attempts", "int32", "attempts"),
  ];
  const stageNames = [...POD_STAGE_COLUMNS, ...POD_NODE_STAGE_COLUMNS];
  for (let s = 0; s < POD_STAGE_COUNT; s++) columns.push(pods.arrow("times", "int64", stageNames[s]!, s));
  columns.push(pods.arrow("deletionNs", "int64", "deletion_ns"));
  columns.push(pods.arrow("deletedNs", "int64", "deleted_ns"));
  columns.push(pods.arrow("sandboxFailures", "int32", "sandbox_failures"));
  columns.push(pods.arrow("pullFailures", "int32", "pull_failures"));
  columns.push(pods.arrow("bytesPulled", "int64", "bytes_pulled"));
  columns.push(pods.arrow("pullWaitNs", "int64", "pull_wait_ns"));
  columns.push(pods.arrow("initNs", "int64", "init_ns"));
  // Reason strings as a dictionary over the codes that occur.
  const reasonDict: string[] = [""];
  const reasonId = new Map<number, number>([[0, 0]]);
  const reasons = new Int32Array(n);
  const resourceNames = sim.vocabulary.resources.all();
  for (let p = 0; p < n; p++) {
    const code = pods.reason[p]!;
    let id = reasonId.get(code);
    if (id === undefined) {
      id = reasonDict.length;
      reasonDict.push(podReasonName(code, resourceNames));
      reasonId.set(code, id);
    }
    reasons[p] = id;
  }
  columns.push({ name: "reason", type: "dict", values: reasons, dictionary: reasonDict });
  // owner_kind: the kind of the workload at the top of the pod's ownerReferences chain (a
  // Deployment owns the ReplicaSet that owns the pod); for a pod of cluster.pods whose
  // controller is not simulated, that controller's kind (DaemonSet, StatefulSet, Job, Node for
  // static pods) or Pod for a bare pod.
  const kinds = new Int32Array(n);
  const ownerKinds = new Interner();
  const priority = new Int32Array(n);
  const templates = sim.templates;
  for (let p = 0; p < n; p++) {
    const kind = deps[rsList[pods.owner[p]!]!.deployment]!.ownerKind ?? OWNER_KIND_DEPLOYMENT;
    kinds[p] = ownerKinds.intern(kind);
    priority[p] = templates[pods.template[p]!]!.priority;
  }
  columns.push({ name: "owner_kind", type: "dict", values: kinds, dictionary: ownerKinds.all() });
  columns.push({ name: "priority", type: "int32", values: priority });
  columns.push(pods.arrow("nominatedNode", "dict", "nominated_node", 0, sim.nodes.names));
  // ungated_ns (runs whose pods have schedulingGates only): when the pod's last gate was removed.
  if (sim.gates !== undefined) {
    const ungated = new Float64Array(n);
    for (let p = 0; p < n; p++) ungated[p] = sim.gates.gates.ungatedNs(p);
    columns.push({ name: "ungated_ns", type: "int64", values: ungated });
  }
  return { columns, rows: n };
}

/** pods.arrow `owner_kind` of a Deployment's pods. */
export const OWNER_KIND_DEPLOYMENT = "Deployment";

const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/**
 * A deterministic five-character pod name suffix from the pod's ordinal, in the alphabet
 * upstream uses for generated names (apimachinery util/rand: no vowels, no confusable digits).
 */
export function podSuffix(ordinal: number): string {
  let x = (Math.imul(ordinal + 1, 2654435761) >>> 0) % 27 ** 5;
  let s = "";
  for (let i = 0; i < 5; i++) {
    s += ALPHABET[x % 27];
    x = Math.floor(x / 27);
  }
  return s;
}
