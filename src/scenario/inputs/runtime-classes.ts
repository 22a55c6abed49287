import { DNS_LABEL, quantities, type DeploymentSpec } from "../manifests.js";
import { METADATA_KEYS } from "../core-v1-fields.js";
import type { ReadContext, YamlReader } from "../yaml-reader.js";
import { reportUnmodelled, RUNTIME_CLASS_FIELDS } from "./modelled-fields.js";
import { PodRefs } from "./pod-refs.js";

/** A node.k8s.io/v1 RuntimeClass: its name, handler and pod overhead (overhead.podFixed). */
export interface RuntimeClassSpec {
  name: string;
  handler: string;
  overhead: ReadonlyMap<string, number>;
}

/** Reads a RuntimeClass object (`scheduling` is reported as not modelled). */
export function readRuntimeClass(r: YamlReader): RuntimeClassSpec {
  reportUnmodelled(r.node, "RuntimeClass", RUNTIME_CLASS_FIELDS, r.ctx.inputs, (o) => r.ctx.site(o));
  // model: k8s.io/api/node/v1 RuntimeClass; unknown fields refused (strict field validation).
  r.object(["apiVersion", "kind", "metadata", "handler", "overhead", "scheduling"]);
  r.get("metadata").object(METADATA_KEYS);
  r.get("overhead").object(["podFixed"]);
  r.get("apiVersion").str({ pattern: /^node\.k8s\.io\/v1$/, expected: '"node.k8s.io/v1"' });
  return {
    name: r.get("metadata").get("name").str({ expected: "the RuntimeClass's name" }),
    handler: r.get("handler").str({ pattern: DNS_LABEL, expected: "a DNS-1123 label (the CRI handler)" }),
    overhead: quantities(r.get("overhead").get("podFixed")),
  };
}

/** Where each pod template named its runtimeClassName (or wrote spec.overhead), for errors found once every class is known. */
export const runtimeClassRefs = new PodRefs();

/**
 * Sets each Deployment's pod overhead from its RuntimeClass, as the RuntimeClass admission
 * plugin does at pod creation (plugin/pkg/admission/runtimeclass/admission.go setOverhead;
 * PodOverhead GA in v1.24, KEP-688): a pod naming a class gets the class's overhead.podFixed;
 * a pod that writes spec.overhead itself is refused unless its class has that same overhead
 * ("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead", or "...Pod
 * Overhead set without corresponding RuntimeClass defined"); a class no input gives is refused
 * as admission would (the RuntimeClass is not found). Classes may come in any input. Issues go
 * to `ctx`.
 */
export function resolveRuntimeClasses(
  ctx: ReadContext,
  deployments: readonly DeploymentSpec[],
  classes: readonly RuntimeClassSpec[],
): DeploymentSpec[] {
  const byName = new Map(classes.map((c) => [c.name, c]));
  return deployments.map((d) => {
    if (!runtimeClassRefs.has(d.pod)) return d;
    const fail = (expected: string) => {
      runtimeClassRefs.fail(ctx, d.pod, expected);
      return d;
    };
    const name = d.pod.runtimeClassName;
    if (name === undefined)
      return fail("no spec.overhead without spec.runtimeClassName (the RuntimeClass admission plugin sets it)");
    const c = byName.get(name);
    if (c === undefined)
      return fail(`the name of a RuntimeClass given in the inputs (${[...byName.keys()].join(", ") || "none given"})`);
    const own = d.pod.overhead;
    if (own !== undefined && !sameQuantities(own, c.overhead))
      return fail(`spec.overhead equal to RuntimeClass ${name}'s overhead.podFixed, or none`);
    return c.overhead.size === 0 ? d : { ...d, pod: { ...d.pod, overhead: c.overhead } };
  });
}

function sameQuantities(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
