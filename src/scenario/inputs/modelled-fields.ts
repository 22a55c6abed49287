import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { InputReport } from "./input-report.js";

/**
 * Which fields of a kind the run models. A key maps to `true` (read and simulated; its content
 * is not walked further), `"server"` (written by the API server or a controller: accepted
 * silently), or a subtree walked the same way. A list's items are walked with the list's
 * subtree. `"*"` stands for every key not named. A key that maps to nothing is reported once
 * per field path as not modelled.
 */
export interface FieldTree {
  readonly [key: string]: FieldTree | true | "server" | AtDefault;
}

/**
 * A field that is not modelled but is harmless at its upstream default (a Job's
 * `suspend: false`, a StatefulSet's `revisionHistoryLimit: 10`): accepted silently at that
 * value, reported at any other.
 */
export class AtDefault {
  readonly value: string | number | boolean;
  constructor(value: string | number | boolean) {
    this.value = value;
  }
}

/**
 * ObjectMeta. Labels and annotations are carried (labels select pods; annotations hold
 * simctl.dev/ hints and kubectl's last-applied copy); the rest is what the API server writes.
 * model: k8s.io/apimachinery/pkg/apis/meta/v1/types.go ObjectMeta, "Read-only" / "Populated by
 * the system" fields.
 */
const METADATA: FieldTree = {
  name: true,
  namespace: true,
  labels: true,
  annotations: true,
  generateName: true,
  uid: "server",
  resourceVersion: "server",
  generation: "server",
  creationTimestamp: "server",
  selfLink: "server",
  managedFields: "server",
  deletionTimestamp: "server",
  deletionGracePeriodSeconds: "server",
};

/** The fields of a probe that time readiness; the handler (httpGet, exec, ...) always succeeds. */
const PROBE: FieldTree = {
  initialDelaySeconds: true,
  periodSeconds: true,
  timeoutSeconds: true,
  successThreshold: true,
  failureThreshold: true,
  httpGet: true,
  tcpSocket: true,
  exec: true,
  grpc: true,
};

const CONTAINER: FieldTree = {
  name: true,
  image: true,
  imagePullPolicy: true,
  // model: limits default the requests they leave unset (SetDefaults_ResourceList) and are
  // checked by LimitRange and ResourceQuota admission; the kubelet does not enforce them, as no
  // container uses CPU or memory in the simulation.
  resources: { requests: true, limits: true },
  ports: { name: true, containerPort: true, hostPort: true, protocol: true, hostIP: true },
  startupProbe: PROBE,
  readinessProbe: PROBE,
};

/** An init container: restartPolicy Always makes it a sidecar (the only value validation allows). */
const INIT_CONTAINER: FieldTree = { ...CONTAINER, restartPolicy: true };

/** PodSpec as the scheduler and kubelets read it. */
const POD_SPEC: FieldTree = {
  containers: CONTAINER,
  initContainers: INIT_CONTAINER,
  nodeSelector: true,
  tolerations: true,
  affinity: true,
  topologySpreadConstraints: true,
  schedulerName: true,
  priority: true,
  priorityClassName: true,
  // preemptionPolicy Never keeps DefaultPreemption from preempting for the pod; the grace period
  // caps how long its containers take to stop (kubelet.containerStop).
  preemptionPolicy: true,
  terminationGracePeriodSeconds: true,
  // A pod on the host's network has no CNI ADD and no pod IP, and its container ports are host ports.
  hostNetwork: true,
  // Only the source kind of a volume matters (its attach and mount time).
  volumes: { "*": true },
  automountServiceAccountToken: true,
  // The RuntimeClass's overhead is added to the pod's requests (its handler and scheduling are reported on the class).
  runtimeClassName: true,
  overhead: true,
  schedulingGates: { name: true },
};

/** A pod template's metadata. */
const TEMPLATE: FieldTree = { metadata: METADATA, spec: POD_SPEC };

/** Fields every object has. */
const OBJECT: FieldTree = { apiVersion: true, kind: true, metadata: METADATA, status: "server" };

/** The spec fields every replicated apps/v1 workload has: its replicas and its selected pod template. */
const REPLICATED_SPEC: FieldTree = { replicas: true, selector: { matchLabels: true }, template: TEMPLATE };

/** apps/v1 Deployment. */
export const DEPLOYMENT_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    ...REPLICATED_SPEC,
    strategy: { type: true, rollingUpdate: { maxSurge: true, maxUnavailable: true } },
    paused: true,
    minReadySeconds: true,
    progressDeadlineSeconds: true,
  },
};

/** apps/v1 ReplicaSet. */
export const REPLICASET_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    ...REPLICATED_SPEC,
    minReadySeconds: true,
  },
};

/**
 * apps/v1 StatefulSet. Not modelled, so reported: updateStrategy.rollingUpdate.maxUnavailable
 * (alpha, MaxUnavailableStatefulSet off by default), a retention policy that deletes claims, a
 * claim's selector or dataSource (binding to chosen PVs, cloning).
 */
export const STATEFULSET_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    ...REPLICATED_SPEC,
    // The headless Service's name makes the pods' DNS names; it does not change their timing.
    serviceName: true,
    podManagementPolicy: true,
    updateStrategy: { type: true, rollingUpdate: { partition: true } },
    minReadySeconds: true,
    ordinals: { start: true },
    // model: apps/v1 defaults: 10 ControllerRevisions kept; claims retained on delete and scale-down.
    revisionHistoryLimit: new AtDefault(10),
    persistentVolumeClaimRetentionPolicy: { whenDeleted: new AtDefault("Retain"), whenScaled: new AtDefault("Retain") },
    volumeClaimTemplates: {
      apiVersion: true,
      kind: true,
      metadata: METADATA,
      // The size and access mode are what the provisioner is asked for; they do not change its time.
      spec: {
        storageClassName: true,
        accessModes: true,
        resources: { requests: true, limits: true },
        volumeMode: new AtDefault("Filesystem"),
      },
      status: "server",
    },
  },
};

/**
 * batch/v1 Job. Fields not listed (ttlSecondsAfterFinished, podFailurePolicy, successPolicy,
 * backoffLimitPerIndex, maxFailedIndexes, podReplacementPolicy, manualSelector, managedBy) are
 * reported. The selector and its controller-uid labels are written by the API server.
 */
export const JOB_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    completions: true,
    parallelism: true,
    completionMode: true,
    backoffLimit: true,
    activeDeadlineSeconds: true,
    selector: "server",
    // model: batch/v1 defaults: not suspended.
    suspend: new AtDefault(false),
    template: {
      metadata: METADATA,
      // Containers never fail in the simulation, so restartPolicy (Never or OnFailure) never acts.
      spec: { ...POD_SPEC, restartPolicy: true },
    },
  },
};

/** batch/v1 CronJob: its own fields, and its jobTemplate's as a Job's. */
export const CRONJOB_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    schedule: true,
    timeZone: true,
    startingDeadlineSeconds: true,
    concurrencyPolicy: true,
    suspend: true,
    successfulJobsHistoryLimit: true,
    failedJobsHistoryLimit: true,
    jobTemplate: { metadata: METADATA, spec: JOB_FIELDS.spec as FieldTree },
  },
};

/**
 * apps/v1 DaemonSet. Not listed (reported): the template's nodeName. A hostNetwork template
 * also gets the network-unavailable toleration (daemon-pod.ts).
 */
export const DAEMONSET_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    selector: { matchLabels: true },
    // model: a DaemonSet's pods must have restartPolicy Always (apps validation), its default.
    template: { metadata: METADATA, spec: { ...POD_SPEC, restartPolicy: new AtDefault("Always") } },
    updateStrategy: { type: true, rollingUpdate: { maxUnavailable: true, maxSurge: true } },
    minReadySeconds: new AtDefault(0),
    // model: apps/v1 defaults: 10 ControllerRevisions kept; old revisions are not simulated.
    revisionHistoryLimit: new AtDefault(10),
  },
};

/** core/v1 Node. */
export const NODE_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    taints: { key: true, value: true, effect: true, timeAdded: "server" },
    unschedulable: true,
    podCIDR: true,
    podCIDRs: true,
    providerID: "server",
  },
  // A Node's status is written by its kubelet; simctl reads allocatable (or capacity), the
  // image cache and the Ready condition from it, and the rest is the kubelet's report.
  status: { "*": "server" },
};

/** scheduling.k8s.io/v1 PriorityClass. */
export const PRIORITY_CLASS_FIELDS: FieldTree = {
  ...OBJECT,
  value: true,
  globalDefault: true,
  description: true,
  preemptionPolicy: true,
};

/** node.k8s.io/v1 RuntimeClass: its handler names the runtime; overhead.podFixed is modelled, scheduling is not. */
export const RUNTIME_CLASS_FIELDS: FieldTree = {
  ...OBJECT,
  handler: true,
  overhead: { podFixed: true },
};

/**
 * policy/v1 PodDisruptionBudget. model: spec.unhealthyPodEvictionPolicy is not modelled
 * (reported): a Running pod is Ready in the simulation, so no pod is Running and unhealthy.
 */
export const PDB_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    selector: { matchLabels: true, matchExpressions: { key: true, operator: true, values: true } },
    minAvailable: true,
    maxUnavailable: true,
  },
};

/** core/v1 Namespace. spec.finalizers only matter when a namespace is deleted, which no step does. */
export const NAMESPACE_FIELDS: FieldTree = { ...OBJECT, spec: { finalizers: "server" } };

/** core/v1 LimitRange (items of type PersistentVolumeClaim are reported by limit-ranges.ts). */
export const LIMIT_RANGE_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    limits: { type: true, min: true, max: true, default: true, defaultRequest: true, maxLimitRequestRatio: true },
  },
};

/** core/v1 ResourceQuota (hard limits on resources pods do not use are reported by resource-quotas.ts). */
export const RESOURCE_QUOTA_FIELDS: FieldTree = {
  ...OBJECT,
  spec: {
    hard: true,
    scopes: true,
    scopeSelector: { matchExpressions: { scopeName: true, operator: true, values: true } },
  },
};

/**
 * Reports every field of `node` (an object of `kind`) that `tree` does not model, once per
 * field path (list items as `[]`), at its first `file:line`.
 */
export function reportUnmodelled(
  node: Node | null,
  kind: string,
  tree: FieldTree,
  report: InputReport,
  site: (offset: number) => string,
): void {
  walk(node, tree, "", kind, report, site);
}

function walk(
  node: Node | null,
  tree: FieldTree,
  path: string,
  kind: string,
  report: InputReport,
  site: (offset: number) => string,
): void {
  if (node === null) return;
  if (isSeq(node)) {
    for (const item of node.items as Node[]) walk(item, tree, `${path}[]`, kind, report, site);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const k = pair.key as Node;
    const key = isScalar(k) ? String(k.value) : "";
    const sub = tree[key] ?? tree["*"];
    const at = path === "" ? key : `${path}.${key}`;
    const value = (pair.value as Node | null) ?? null;
    if (sub === undefined || sub instanceof AtDefault) {
      const atDefault = sub !== undefined && value !== null && isScalar(value) && value.value === sub.value;
      if (!isEmpty(value) && !atDefault) report.fieldNotModelled(kind, at, site(k.range?.[0] ?? 0));
    } else if (sub !== true && sub !== "server") {
      walk(value, sub, at, kind, report, site);
    }
  }
}

/** An empty value (`{}`, `[]`, null) asks for nothing: `securityContext: {}` is the default. */
function isEmpty(n: Node | null): boolean {
  if (n === null) return true;
  if (isScalar(n)) return n.value === null;
  if (isMap(n) || isSeq(n)) return n.items.length === 0;
  return false;
}

/**
 * core/v1 Pod of `cluster.pods`: the pod spec as a template's, plus the binding
 * (spec.nodeName) and owner (metadata.ownerReferences). Its status is the kubelet's report;
 * simctl reads status.phase from it.
 */
export const POD_FIELDS: FieldTree = {
  ...OBJECT,
  metadata: { ...METADATA, ownerReferences: true },
  spec: { ...POD_SPEC, nodeName: true },
};
