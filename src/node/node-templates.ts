import type { PodIdx } from "../cluster/ids.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { ContainerSpec, PodTemplate } from "../cluster/pod-template.js";
import type { Engine } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import type { PodManifest, ProbeManifest } from "../scenario/manifests.js";

/** What the kubelet needs of one container beyond its image: its probes. */
export interface NodeContainer {
  spec: ContainerSpec;
  startupProbe: ProbeManifest | undefined;
  readinessProbe: ProbeManifest | undefined;
  /** An init container with restartPolicy Always: it keeps running; the next one starts once it is started. */
  sidecar?: boolean;
}

/** The node-side view of a pod template: containers with probes, volumes, eviction toleration. */
export interface NodePodTemplate {
  init: readonly NodeContainer[];
  app: readonly NodeContainer[];
  /** Whether any app container has a startup or readiness probe, or a sidecar a readiness probe. */
  probed: boolean;
  /** Volumes the kubelet mounts locally (projected token, configMap, secret, emptyDir, ...). */
  localVolumes: number;
  /** Volumes a CSI driver must attach before the kubelet mounts them (PVCs, generic ephemeral). */
  attachableVolumes: number;
  /**
   * How long the pod tolerates `node.kubernetes.io/unreachable:NoExecute` (ns): 0 when it does
   * not tolerate it, `Infinity` when it tolerates it forever.
   */
  unreachableTolerationNs: number;
  /** spec.hostNetwork: the sandbox shares the node's network namespace (no CNI ADD, no pod IP). */
  hostNetwork: boolean;
}

/**
 * Volume sources that need an attach by the attach-detach controller before a mount.
 * model: pkg/volume/csi attacher: a PVC-backed CSI volume of a driver with attachRequired (block
 * devices: EBS, PD, Azure Disk, Cinder, vSphere, RBD, iSCSI, FC); generic ephemeral volumes
 * become PVCs. Node-local sources (configMap, secret, projected, downwardAPI, emptyDir,
 * hostPath, inline `csi` ephemeral) mount without an attach.
 */
const ATTACHABLE = new Set([
  "persistentVolumeClaim",
  "ephemeral",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "azureDisk",
  "cinder",
  "vsphereVolume",
  "rbd",
  "iscsi",
  "fc",
]);

/** model: k8s.io/api/core/v1 TaintNodeUnreachable. */
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";

/**
 * Builds the node-side template. `manifest` is the pod spec the template came from (undefined:
 * no probes, no volumes besides the service account token, default tolerations).
 * `defaultTolerationNs` is what the DefaultTolerationSeconds admission plugin adds.
 */
export function nodePodTemplate(
  t: PodTemplate,
  manifest: PodManifest | undefined,
  defaultTolerationNs: number,
): NodePodTemplate {
  const probesOf = (c: ContainerSpec, list: PodManifest["containers"] | undefined): NodeContainer => {
    const m = list?.find((x) => x.name === c.name);
    return { spec: c, startupProbe: m?.startupProbe, readinessProbe: m?.readinessProbe };
  };
  // model: only a sidecar's probes act (validation refuses probes on a regular init container).
  const init = t.initContainers.map((c): NodeContainer => {
    const m = manifest?.initContainers.find((x) => x.name === c.name);
    if (m?.sidecar !== true) return { spec: c, startupProbe: undefined, readinessProbe: undefined };
    return { spec: c, startupProbe: m.startupProbe, readinessProbe: m.readinessProbe, sidecar: true };
  });
  const app = t.containers.map((c) => probesOf(c, manifest?.containers));
  let local = 0;
  let attachable = 0;
  for (const v of manifest?.volumes ?? []) {
    if (ATTACHABLE.has(v.source)) attachable++;
    else local++;
  }
  // model: plugin/pkg/admission/serviceaccount/admission.go adds the projected
  // kube-api-access-* volume unless automountServiceAccountToken is false.
  if (manifest?.automountServiceAccountToken !== false) local++;
  return {
    init,
    app,
    probed:
      app.some((c) => c.startupProbe !== undefined || c.readinessProbe !== undefined) ||
      init.some((c) => c.readinessProbe !== undefined),
    localVolumes: local,
    attachableVolumes: attachable,
    unreachableTolerationNs: unreachableToleration(manifest?.tolerations, defaultTolerationNs),
    hostNetwork: manifest?.hostNetwork === true,
  };
}

/**
 * model: plugin/pkg/admission/defaulttolerationseconds/admission.go adds
 * `{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds}`
 * unless a toleration already covers that key (or has an empty key) with effect NoExecute (or
 * empty); pkg/controller/tainteviction/taint_eviction.go getMinTolerationTime then takes the
 * smallest tolerationSeconds of the matching tolerations (none set: forever; <= 0: at once).
 */
export function unreachableToleration(tolerations: unknown, defaultNs: number): number {
  const list = Array.isArray(tolerations) ? (tolerations as Record<string, unknown>[]) : [];
  let covered = false;
  let min = Infinity;
  let matched = false;
  for (const t of list) {
    if (t === null || typeof t !== "object") continue;
    const key = typeof t.key === "string" ? t.key : "";
    const effect = typeof t.effect === "string" ? t.effect : "";
    const operator = typeof t.operator === "string" ? t.operator : "Equal";
    if ((key === TAINT_NODE_UNREACHABLE || key === "") && (effect === "NoExecute" || effect === "")) covered = true;
    // model: v1 Toleration.ToleratesTaint: effect empty or equal; key empty with Exists matches
    // every key; Exists ignores the value; Equal needs the (empty) taint value.
    const effectOk = effect === "" || effect === "NoExecute";
    const keyOk = key === TAINT_NODE_UNREACHABLE || (key === "" && operator === "Exists");
    const valueOk = operator === "Exists" || (typeof t.value === "string" ? t.value === "" : true);
    if (!(effectOk && keyOk && valueOk)) continue;
    matched = true;
    if (typeof t.tolerationSeconds === "number") {
      if (t.tolerationSeconds <= 0) return 0;
      min = Math.min(min, t.tolerationSeconds * 1e9);
    }
  }
  if (!covered) return defaultNs;
  if (!matched) return 0;
  return min;
}

/** At most this many app containers per pod (the kubelet keeps a bitmask of started containers). */
export const MAX_APP_CONTAINERS = 32;

/**
 * The node-side template of each pod template, built on first use from the template and its
 * Deployment's manifest (probes, volumes, tolerations). Shared by the kubelets and the node
 * lifecycle controller (which reads each pod's unreachable toleration).
 */
export class NodePodTemplates {
  private readonly engine: Engine;
  private readonly templates: readonly PodTemplate[];
  private readonly pods: PodTable;
  private readonly store: ObjectStore;
  private readonly defaultUnreachableTolerationNs: number;
  private readonly built: (NodePodTemplate | undefined)[] = [];

  constructor(
    engine: Engine,
    templates: readonly PodTemplate[],
    store: ObjectStore,
    defaultUnreachableTolerationNs: number,
  ) {
    this.engine = engine;
    this.templates = templates;
    this.pods = store.pods;
    this.store = store;
    this.defaultUnreachableTolerationNs = defaultUnreachableTolerationNs;
  }

  /** The node-side template of `pod` (built on first use). */
  of(pod: PodIdx): NodePodTemplate {
    const t = this.pods.template[pod]!;
    let nt = this.built[t];
    if (nt === undefined) {
      nt = nodePodTemplate(this.templates[t]!, this.manifestOf(pod), this.defaultUnreachableTolerationNs);
      if (nt.app.length > MAX_APP_CONTAINERS)
        throw new SimulationError(
          "kubelet",
          this.engine.now,
          `template ${t} has more than ${MAX_APP_CONTAINERS} containers`,
        );
      while (this.built.length <= t) this.built.push(undefined);
      this.built[t] = nt;
    }
    return nt;
  }

  private manifestOf(pod: PodIdx): PodManifest | undefined {
    const rs = this.store.replicaSets[this.pods.owner[pod]!];
    if (rs === undefined) return undefined;
    return this.store.deployments[rs.deployment]?.spec.pod;
  }
}
