import { OBJECT_KEYS } from "../core-v1-fields.js";
import {
  DNS_LABEL,
  DNS_SUBDOMAIN,
  type DeploymentSpec,
  INT32_MAX,
  readSelectedTemplate,
  readUpdateStrategy,
  readWorkloadHead,
  type VolumeManifest,
} from "../manifests.js";
import type { ExistingPodSpec } from "../sections/cluster-pods.js";
import type { YamlReader } from "../yaml-reader.js";

/** One volumeClaimTemplate: the claim `<template>-<statefulset>-<ordinal>` each pod gets. */
export interface ClaimTemplateManifest {
  name: string;
  /**
   * spec.storageClassName: absent when unset (the default StorageClass provisions the claim);
   * "" for no class (a pre-provisioned PersistentVolume binds it, without provisioning).
   */
  storageClass?: string;
}

/** An apps/v1 StatefulSet's spec as simctl runs it, apps/v1 defaults applied. */
export interface StatefulSetManifest {
  podManagementPolicy: "OrderedReady" | "Parallel";
  updateStrategy: "RollingUpdate" | "OnDelete";
  /** spec.updateStrategy.rollingUpdate.partition: ordinals below it keep the current revision. */
  partition: number;
  /** spec.ordinals.start: the first ordinal. */
  ordinalsStart: number;
  minReadySeconds: number;
  volumeClaimTemplates: readonly ClaimTemplateManifest[];
}

// model: k8s.io/api/apps/v1/types.go StatefulSetSpec.
const STATEFULSET_SPEC_KEYS = [
  "replicas",
  "selector",
  "template",
  "volumeClaimTemplates",
  "serviceName",
  "podManagementPolicy",
  "updateStrategy",
  "revisionHistoryLimit",
  "minReadySeconds",
  "persistentVolumeClaimRetentionPolicy",
  "ordinals",
] as const;

/**
 * Reads an apps/v1 StatefulSet into a {@link DeploymentSpec} of kind StatefulSet. Its pod
 * template gets one `persistentVolumeClaim` volume per volumeClaimTemplate (replacing a volume
 * of the same name), as the controller's updateStorage writes it into every pod.
 *
 * model: pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet: replicas 1, podManagementPolicy
 * OrderedReady, updateStrategy RollingUpdate with partition 0, minReadySeconds 0, ordinals.start 0,
 * persistentVolumeClaimRetentionPolicy Retain/Retain.
 */
export function readStatefulSet(r: YamlReader, nameSuffix: string): DeploymentSpec | undefined {
  const head = readWorkloadHead(r, "StatefulSet", /^apps\/v1$/, '"apps/v1"', nameSuffix, STATEFULSET_SPEC_KEYS);
  if (head === undefined) return undefined;
  const { name, namespace, spec } = head;
  const replicas = spec.get("replicas").int({ min: 0, max: INT32_MAX, default: 1 });
  const podManagementPolicy = spec
    .get("podManagementPolicy")
    .oneOf(["OrderedReady", "Parallel"] as const, { default: "OrderedReady" });
  const { type: updateStrategy, rollingUpdate: ru } = readUpdateStrategy(spec, "updateStrategy", "OnDelete", [
    "partition",
    "maxUnavailable",
  ]);
  const partition = ru.get("partition").int({ min: 0, max: INT32_MAX, default: 0 });
  const ordinals = spec.get("ordinals");
  ordinals.object(["start"]);
  const ordinalsStart = ordinals.get("start").int({ min: 0, max: INT32_MAX, default: 0 });
  const minReadySeconds = spec.get("minReadySeconds").int({ min: 0, max: INT32_MAX, default: 0 });
  const volumeClaimTemplates = spec
    .get("volumeClaimTemplates")
    .list("a list of PersistentVolumeClaim templates")
    .map(readClaimTemplate);
  const pod = readSelectedTemplate(spec);
  const claimed = new Set(volumeClaimTemplates.map((c) => c.name));
  const volumes: VolumeManifest[] = (pod.volumes ?? []).filter((v) => !claimed.has(v.name));
  for (const c of volumeClaimTemplates)
    volumes.push({ name: c.name, source: "persistentVolumeClaim", claimTemplate: c });
  return {
    name: name + nameSuffix,
    namespace,
    replicas,
    maxSurge: 0,
    maxUnavailable: 0,
    kind: "StatefulSet",
    statefulSet: {
      podManagementPolicy,
      updateStrategy,
      partition,
      ordinalsStart,
      minReadySeconds,
      volumeClaimTemplates,
    },
    pod: { ...pod, volumes },
  };
}

function readClaimTemplate(c: YamlReader): ClaimTemplateManifest {
  c.object(OBJECT_KEYS);
  const name = c
    .get("metadata")
    .get("name")
    .str({ pattern: DNS_LABEL, expected: "the claim template's name (a DNS-1123 label)" });
  const sc = c.get("spec").get("storageClassName");
  if (!sc.present) return { name };
  if (sc.value() === "") return { name, storageClass: "" };
  return { name, storageClass: sc.str({ pattern: DNS_SUBDOMAIN, expected: "a StorageClass name" }) };
}

/**
 * The ordinal of a pod named `<set>-<ordinal>` (-1 when the name is not of that form).
 * model: pkg/controller/statefulset/stateful_set_utils.go getParentNameAndOrdinal.
 */
export function podOrdinal(setName: string, podName: string): number {
  if (!podName.startsWith(`${setName}-`)) return -1;
  const tail = podName.slice(setName.length + 1);
  return /^(0|[1-9][0-9]{0,9})$/.test(tail) && Number(tail) <= INT32_MAX ? Number(tail) : -1;
}

/**
 * A pod of `cluster.pods` owned by a StatefulSet of the workload (same name and namespace, its
 * template's labels, a name `<set>-<ordinal>`) is adopted by it: it holds its ordinal, and the
 * controller creates no other pod there. model: stateful_set.go getPodsForStatefulSet
 * (ClaimPods with the selector) and isMemberOf (the parent name in the pod's name).
 */
export function adoptStatefulSetPod(p: ExistingPodSpec, workloads: readonly DeploymentSpec[]): ExistingPodSpec {
  const d = workloads.find(
    (x) =>
      x.kind === "StatefulSet" &&
      x.name === p.ownerName &&
      x.namespace === p.namespace &&
      podOrdinal(x.name, p.name) >= 0 &&
      [...x.pod.labels].every(([k, v]) => p.pod.labels.get(k) === v),
  );
  return d === undefined ? p : { ...p, adoptedBy: d.name };
}
