/**
 * What the DaemonSet controller writes into each pod it creates, on top of the template
 * (pkg/controller/daemon/util/daemonset_util.go): the tolerations every daemon pod carries, and
 * the node affinity that pins the pod to its node for the default scheduler.
 */

/** One raw core/v1 Toleration, as a manifest gives it. */
type RawToleration = Record<string, unknown>;

/** A toleration the controller adds: `operator: Exists` for `key` with `effect`. */
function exists(key: string, effect: "NoExecute" | "NoSchedule"): RawToleration {
  return { key, operator: "Exists", effect };
}

/**
 * model: daemonset_util.go AddOrUpdateDaemonPodTolerations: node.kubernetes.io/not-ready and
 * unreachable NoExecute (no tolerationSeconds: never evicted for them); disk-pressure,
 * memory-pressure, pid-pressure and unschedulable NoSchedule; network-unavailable NoSchedule
 * for hostNetwork pods.
 */
function daemonTolerations(hostNetwork: boolean): RawToleration[] {
  const out = [
    exists("node.kubernetes.io/not-ready", "NoExecute"),
    exists("node.kubernetes.io/unreachable", "NoExecute"),
    exists("node.kubernetes.io/disk-pressure", "NoSchedule"),
    exists("node.kubernetes.io/memory-pressure", "NoSchedule"),
    exists("node.kubernetes.io/pid-pressure", "NoSchedule"),
    exists("node.kubernetes.io/unschedulable", "NoSchedule"),
  ];
  if (hostNetwork) out.push(exists("node.kubernetes.io/network-unavailable", "NoSchedule"));
  return out;
}

/** model: core/v1 Toleration.MatchToleration: same key, operator, value and effect. */
function sameToleration(a: RawToleration, b: RawToleration): boolean {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return (
    str(a.key) === str(b.key) &&
    str(a.operator) === str(b.operator) &&
    str(a.value) === str(b.value) &&
    str(a.effect) === str(b.effect)
  );
}

/**
 * A daemon pod's tolerations: the template's (a raw list, or nothing) with the controller's
 * added. model: v1helper.AddOrUpdateTolerationInPodSpec: a template toleration that matches an
 * added one is replaced by it (a tolerationSeconds on it is dropped); the others are appended.
 */
export function daemonPodTolerations(tolerations: unknown, hostNetwork: boolean): unknown {
  const list: RawToleration[] = Array.isArray(tolerations)
    ? tolerations.filter((t): t is RawToleration => t !== null && typeof t === "object")
    : [];
  const out = [...list];
  for (const add of daemonTolerations(hostNetwork)) {
    const i = out.findIndex((t) => sameToleration(t, add));
    if (i >= 0) out[i] = add;
    else out.push(add);
  }
  return out;
}

/** model: metav1.ObjectNameField, the node field a NodeSelectorTerm's matchFields can name. */
const OBJECT_NAME_FIELD = "metadata.name";

/**
 * The pod's affinity with its required node affinity replaced by one term naming `node`.
 * model: daemonset_util.go ReplaceDaemonSetPodNodeNameNodeAffinity: the template's required
 * terms are dropped (the controller has already checked them against the node); its preferred
 * terms and pod (anti-)affinity stay.
 */
export function nodeNameAffinity(affinity: unknown, node: string): unknown {
  const base = affinity !== null && typeof affinity === "object" ? (affinity as Record<string, unknown>) : {};
  const na = base.nodeAffinity;
  const nodeAffinity = na !== null && typeof na === "object" ? (na as Record<string, unknown>) : {};
  return {
    ...base,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: OBJECT_NAME_FIELD, operator: "In", values: [node] }] }],
      },
    },
  };
}

/**
 * The node a daemon pod is meant for: spec.nodeName when bound, else the one node its required
 * node affinity names by metadata.name ("" when neither says). model: daemonset_util.go
 * GetTargetNodeName.
 */
export function targetNodeName(nodeName: string, affinity: unknown): string {
  if (nodeName !== "") return nodeName;
  const terms = (
    affinity as
      | {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: unknown };
          };
        }
      | null
      | undefined
  )?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms)) return "";
  for (const t of terms) {
    const fields = (t as { matchFields?: unknown } | null)?.matchFields;
    if (!Array.isArray(fields)) continue;
    for (const f of fields as { key?: unknown; operator?: unknown; values?: unknown }[]) {
      if (f?.key === OBJECT_NAME_FIELD && f.operator === "In" && Array.isArray(f.values) && f.values.length === 1)
        return String(f.values[0]);
    }
  }
  return "";
}
