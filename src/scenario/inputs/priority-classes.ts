import { readPreemptionPolicy, type DeploymentSpec } from "../manifests.js";
import type { ReadContext, YamlReader } from "../yaml-reader.js";
import { METADATA_KEYS } from "../core-v1-fields.js";
import { PRIORITY_CLASS_FIELDS, reportUnmodelled } from "./modelled-fields.js";
import { PodRefs } from "./pod-refs.js";

/** A scheduling.k8s.io/v1 PriorityClass. */
export interface PriorityClassSpec {
  name: string;
  value: number;
  globalDefault: boolean;
  /** model: scheduling/v1 defaults: PreemptLowerPriority when not given (SetDefaults_PriorityClass). */
  preemptionPolicy: "Never" | "PreemptLowerPriority";
}

/**
 * The classes every cluster has. model: pkg/apis/scheduling/types.go SystemCriticalPriority =
 * 2000000000; system-node-critical is SystemCriticalPriority + 1000
 * (SystemPriorityClasses in pkg/apis/scheduling/helpers.go).
 */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClassSpec[] = [
  {
    name: "system-cluster-critical",
    value: 2_000_000_000,
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
  },
  {
    name: "system-node-critical",
    value: 2_000_001_000,
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
  },
];

/** model: a user PriorityClass value is at most HighestUserDefinablePriority = 1000000000. */
const HIGHEST_USER_PRIORITY = 1_000_000_000;

/** Reads a PriorityClass object. */
export function readPriorityClass(r: YamlReader): PriorityClassSpec {
  reportUnmodelled(r.node, "PriorityClass", PRIORITY_CLASS_FIELDS, r.ctx.inputs, (o) => r.ctx.site(o));
  // model: scheduling/v1 PriorityClass's fields: a key it does not have is a typo, located.
  r.object(["apiVersion", "kind", "metadata", "value", "globalDefault", "description", "preemptionPolicy"]);
  r.get("metadata").object(METADATA_KEYS);
  r.get("apiVersion").str({ pattern: /^scheduling\.k8s\.io\/v1$/, expected: '"scheduling.k8s.io/v1"' });
  const name = r.get("metadata").get("name").str({ expected: "the PriorityClass's name" });
  const system = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  // Not simulated, but a string in scheduling/v1: another type is refused as the API would.
  if (r.has("description")) r.get("description").str({ expected: "a description (a string)" });
  return {
    name,
    value: r.get("value").int({
      min: -2_147_483_648,
      max: system === undefined ? HIGHEST_USER_PRIORITY : system.value,
    }),
    globalDefault: r.get("globalDefault").bool({ default: false }),
    preemptionPolicy: r.has("preemptionPolicy")
      ? readPreemptionPolicy(r.get("preemptionPolicy"))
      : "PreemptLowerPriority",
  };
}

/** Where each pod template named its priorityClassName, for errors found once every class is known. */
export const priorityClassRefs = new PodRefs();

/**
 * Resolves each Deployment's priorityClassName to its value, as the Priority admission plugin
 * sets spec.priority on every pod it admits (plugin/pkg/admission/priority/admission.go): the
 * named class's value; without a name, the globalDefault class's (the lowest value when several
 * claim it, as getDefaultPriorityClass picks), else the template's spec.priority (0 by default).
 * The class's preemptionPolicy becomes the pod's; a pod that names a class and writes another
 * preemptionPolicy is refused, as admission refuses it ("must not be provided in pod spec").
 * A name no class has is an error at the name (admission would refuse every pod). Classes may be
 * given in any input, before or after the Deployments that use them. Duplicate names are
 * reported at the second. Issues go to `ctx`.
 */
export function resolvePriorities(
  ctx: ReadContext,
  deployments: readonly DeploymentSpec[],
  classes: readonly PriorityClassSpec[],
): DeploymentSpec[] {
  const byName = new Map<string, PriorityClassSpec>();
  for (const c of SYSTEM_PRIORITY_CLASSES) byName.set(c.name, c);
  for (const c of classes) byName.set(c.name, c);
  let dflt: PriorityClassSpec | undefined;
  for (const c of classes) if (c.globalDefault && (dflt === undefined || c.value < dflt.value)) dflt = c;
  return deployments.map((d) => {
    const name = d.pod.priorityClassName;
    const c = name === undefined ? dflt : byName.get(name);
    if (c === undefined) {
      const names = [...byName.keys()].join(", ");
      priorityClassRefs.fail(
        ctx,
        d.pod,
        `the name of a PriorityClass given in the inputs or a system class (${names})`,
      );
      return d;
    }
    const own = d.pod.preemptionPolicy;
    if (own !== undefined && own !== c.preemptionPolicy) {
      priorityClassRefs.fail(
        ctx,
        d.pod,
        `a PriorityClass whose preemptionPolicy is the pod's ${own} (${c.name} has ${c.preemptionPolicy}; admission refuses a pod spec that sets another)`,
      );
    }
    // model: the plugin also writes the default class's name into the pod (what quota scopes match).
    return {
      ...d,
      pod: { ...d.pod, priority: c.value, priorityClassName: c.name, preemptionPolicy: c.preemptionPolicy },
    };
  });
}
