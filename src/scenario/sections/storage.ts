import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import { DNS_SUBDOMAIN } from "../manifests.js";
import type { InputReport } from "../inputs/input-report.js";
import type { YamlReader } from "../yaml-reader.js";
import { createdDeployments, type WorkloadStep } from "./workload.js";

/** A StorageClass as far as a claim's startup goes (`storage.classes[]`). */
export interface StorageClassSpec {
  name: string;
  /**
   * model: storage.k8s.io/v1 StorageClass volumeBindingMode: Immediate provisions at the claim's
   * creation; WaitForFirstConsumer once the scheduler has chosen the pod's node (VolumeBinding
   * PreBind), which is what most CSI classes use (EBS gp3, GCE PD balanced, Azure Disk).
   */
  volumeBindingMode: "Immediate" | "WaitForFirstConsumer";
  /**
   * External provisioner's CreateVolume plus the PV controller binding the claim. (The attach
   * that follows, once the pod is bound, is `kubelet.volumes.csiAttach`, as for every
   * attachable volume: src/node/volume-manager.ts.)
   */
  provisionTime: DistSpec;
}

/** `storage:`: the StorageClasses that provision the claims of StatefulSets' volumeClaimTemplates. */
export interface StorageSpec {
  classes: readonly StorageClassSpec[];
  /** The class of claims without storageClassName (the one annotated storageclass.kubernetes.io/is-default-class). */
  defaultClass: string;
}

/**
 * model: (anecdote) CSI CreateVolume of a cloud block volume (EBS gp3, GCE PD) returns in a few
 * seconds, with a tail of tens of seconds under API throttling; the external-provisioner's PV
 * create and the PV controller's bind add well under a second.
 */
export const DEFAULT_PROVISION_TIME: DistSpec = lognormal(4 * NS_PER.s, 20 * NS_PER.s);

/** The class a run without `storage:` has: `standard`, the default, WaitForFirstConsumer. */
export const DEFAULT_STORAGE: StorageSpec = {
  classes: [{ name: "standard", volumeBindingMode: "WaitForFirstConsumer", provisionTime: DEFAULT_PROVISION_TIME }],
  defaultClass: "standard",
};

/**
 * Reads `storage:` (absent: {@link DEFAULT_STORAGE}). `classes` lists the StorageClasses; the
 * one with `default: true`, or else the first, is the default class.
 */
export function readStorage(r: YamlReader): StorageSpec | undefined {
  if (!r.present) return undefined;
  r.object(["classes"]);
  const classes: StorageClassSpec[] = [];
  let defaultClass = "";
  for (const c of r.get("classes").list("a list of StorageClasses: - { name, volumeBindingMode, provisionTime }")) {
    c.object(["name", "default", "volumeBindingMode", "provisionTime"]);
    const name = c.get("name").str({ pattern: DNS_SUBDOMAIN, expected: "a StorageClass name" });
    if (classes.some((x) => x.name === name)) c.get("name").fail("a class name not used before");
    if (c.get("default").bool({ default: false })) {
      if (defaultClass !== "") c.get("default").fail(`one default class (${defaultClass} is already)`);
      defaultClass = name;
    }
    classes.push({
      name,
      volumeBindingMode: c
        .get("volumeBindingMode")
        .oneOf(["Immediate", "WaitForFirstConsumer"] as const, { default: "WaitForFirstConsumer" }),
      provisionTime: c.get("provisionTime").dist({ default: DEFAULT_PROVISION_TIME }),
    });
  }
  if (classes.length === 0) r.get("classes").fail("at least one StorageClass");
  return { classes, defaultClass: defaultClass || (classes[0]?.name ?? "") };
}

/**
 * Reports each storageClassName of the workload's claim templates that `storage` does not
 * define (once per name, at `site`): such claims are provisioned by the default class.
 */
export function reportUnknownClasses(
  storage: StorageSpec | undefined,
  steps: readonly WorkloadStep[],
  report: InputReport,
  site: string,
): void {
  const known = new Set((storage ?? DEFAULT_STORAGE).classes.map((c) => c.name));
  for (const d of createdDeployments(steps))
    for (const c of d.statefulSet?.volumeClaimTemplates ?? [])
      if (c.storageClass !== undefined && c.storageClass !== "" && !known.has(c.storageClass))
        report.fieldNotModelled(
          "StatefulSet",
          `spec.volumeClaimTemplates[].spec.storageClassName=${c.storageClass} (not under storage.classes: the default class provisions it)`,
          site,
        );
}

/** The class that provisions a claim of `claimClass` (undefined: the default; "" none: -1). */
export function classIndex(storage: StorageSpec, claimClass: string | undefined): number {
  if (claimClass === "") return -1;
  const i = storage.classes.findIndex((c) => c.name === (claimClass ?? storage.defaultClass));
  return i >= 0 ? i : storage.classes.findIndex((c) => c.name === storage.defaultClass);
}
