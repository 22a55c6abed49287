import { daemonPodTolerations } from "../../controllers/daemon-pod.js";
import { type DeploymentSpec, readSelectedTemplate, readWorkloadHead, unreplicatedHead } from "../manifests.js";
import type { YamlReader } from "../yaml-reader.js";
import { type IntOrPercent, readIntOrPercent } from "./pod-disruption-budgets.js";

/** An apps/v1 DaemonSet's update strategy, client-go defaults applied. */
export interface DaemonSetManifest {
  /** spec.updateStrategy.type: RollingUpdate replaces pods node by node; OnDelete only when a pod is deleted. */
  updateStrategy: "RollingUpdate" | "OnDelete";
  /** spec.updateStrategy.rollingUpdate.maxUnavailable and maxSurge (of the nodes that should run a pod). */
  maxUnavailable: IntOrPercent;
  maxSurge: IntOrPercent;
}

// model: k8s.io/api/apps/v1/types.go DaemonSetSpec.
const DAEMONSET_SPEC_KEYS = [
  "selector",
  "template",
  "updateStrategy",
  "minReadySeconds",
  "revisionHistoryLimit",
] as const;

/**
 * Reads an apps/v1 DaemonSet into a {@link DeploymentSpec} of kind DaemonSet (`replicas` 0: it
 * runs one pod per eligible node). The pod template's tolerations already hold those the
 * controller adds to every daemon pod (daemon-pod.ts), so the scheduler, the kubelets and the
 * taint eviction see the pods as upstream creates them.
 *
 * model: pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet: updateStrategy RollingUpdate with
 * maxUnavailable 1 and maxSurge 0; pkg/apis/apps/validation ValidateRollingUpdateDaemonSet:
 * each at most 100%, and not both 0.
 */
export function readDaemonSet(r: YamlReader, nameSuffix: string): DeploymentSpec | undefined {
  const head = readWorkloadHead(r, "DaemonSet", /^apps\/v1$/, '"apps/v1"', nameSuffix, DAEMONSET_SPEC_KEYS);
  if (head === undefined) return undefined;
  const { name, namespace, spec } = head;
  const strategy = spec.get("updateStrategy");
  strategy.object(["type", "rollingUpdate"]);
  const updateStrategy = strategy.get("type").oneOf(["RollingUpdate", "OnDelete"] as const, {
    default: "RollingUpdate",
  });
  const ru = strategy.get("rollingUpdate");
  ru.object(["maxUnavailable", "maxSurge"]);
  const maxUnavailable = readIntOrPercent(ru.get("maxUnavailable")) ?? { value: 1, percent: false };
  const maxSurge = readIntOrPercent(ru.get("maxSurge")) ?? { value: 0, percent: false };
  if (updateStrategy === "RollingUpdate" && maxUnavailable.value === 0 && maxSurge.value === 0)
    (ru.has("maxUnavailable") ? ru.get("maxUnavailable") : ru).fail("a maxUnavailable above 0 when maxSurge is 0");
  const pod = readSelectedTemplate(spec);
  pod.tolerations = daemonPodTolerations(pod.tolerations, pod.hostNetwork === true);
  return {
    ...unreplicatedHead(name + nameSuffix, namespace),
    kind: "DaemonSet",
    daemonSet: { updateStrategy, maxUnavailable, maxSurge },
    pod,
  };
}
