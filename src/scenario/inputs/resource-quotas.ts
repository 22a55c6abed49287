import type { YamlReader } from "../yaml-reader.js";
import { RESOURCE_QUOTA_FIELDS, reportUnmodelled } from "./modelled-fields.js";
import { readPolicyHead } from "./policy-head.js";

/** The quota scopes that select pods (core/v1 ResourceQuotaScope), but CrossNamespacePodAffinity. */
export type QuotaScope = "Terminating" | "NotTerminating" | "BestEffort" | "NotBestEffort" | "PriorityClass";

/** One requirement on a scope: the scope holds (Exists), fails (DoesNotExist), or, for PriorityClass, names a class (In / NotIn). */
export interface ScopeRequirement {
  scope: QuotaScope;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values: readonly string[];
}

/** A v1 ResourceQuota: its hard limits on the pod resources it tracks, and which pods it covers. */
export interface ResourceQuotaSpec {
  name: string;
  namespace: string;
  /** Quota resource name (`requests.cpu`, `pods`, `count/pods`, ...) -> limit, in {@link quotaUnits}. */
  hard: ReadonlyMap<string, number>;
  /** spec.scopes and spec.scopeSelector together: a pod is covered when it meets every one. */
  scopes: readonly ScopeRequirement[];
}

/**
 * Quota resource names the pod evaluator charges (pkg/quota/v1/evaluator/core/pods.go
 * podResources and podComputeUsageHelper); extended resources as `requests.<name>`.
 */
const POD_QUOTA_RESOURCES = new Set([
  "pods",
  "count/pods",
  "cpu",
  "requests.cpu",
  "limits.cpu",
  "memory",
  "requests.memory",
  "limits.memory",
  "ephemeral-storage",
  "requests.ephemeral-storage",
  "limits.ephemeral-storage",
]);

/** Whether quota resource `key` is one pods are charged for. */
export function isPodQuotaResource(key: string): boolean {
  if (POD_QUOTA_RESOURCES.has(key)) return true;
  // model: extended resources (a domain-prefixed name outside kubernetes.io) and hugepages are
  // quota'd as requests.<name> (pods.go isExtendedResourceNameForQuota, hugepages helpers).
  if (!key.startsWith("requests.")) return key.startsWith("hugepages-");
  const name = key.slice("requests.".length);
  return name.startsWith("hugepages-") || (name.includes("/") && !name.includes("kubernetes.io/"));
}

/**
 * A quantity in the whole units quota arithmetic is exact in: millicores for CPU (Kubernetes
 * quantities have milli precision), whole units (bytes, counts) for everything else.
 */
export function quotaUnits(key: string, value: number): number {
  return key.endsWith("cpu") ? Math.round(value * 1000) : Math.round(value);
}

const SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass"] as const;

/**
 * Reads a ResourceQuota object. Hard limits on what pods are not charged for (services,
 * configmaps, persistentvolumeclaims, count/deployments.apps, ...) are reported as not modelled:
 * the run creates none of those objects through the API.
 */
export function readResourceQuota(r: YamlReader): ResourceQuotaSpec {
  reportUnmodelled(r.node, "ResourceQuota", RESOURCE_QUOTA_FIELDS, r.ctx.inputs, (o) => r.ctx.site(o));
  const { name, namespace } = readPolicyHead(r, "ResourceQuota", /^v1$/, '"v1"', false);
  const spec = r.get("spec");
  const hard = new Map<string, number>();
  for (const [k, v] of spec.get("hard").entries()) {
    const q = v.quantity({ min: 0 });
    if (isPodQuotaResource(k)) hard.set(k, quotaUnits(k, q));
    else r.ctx.inputs.fieldNotModelled("ResourceQuota", `spec.hard.${k}`, v.ctx.site(v.offset));
  }
  const scopes: ScopeRequirement[] = [];
  for (const s of spec.get("scopes").list("a list of quota scopes"))
    scopes.push({ scope: s.oneOf(SCOPES), operator: "Exists", values: [] });
  for (const e of spec.get("scopeSelector").get("matchExpressions").list("a list of scope requirements")) {
    const scope = e.get("scopeName").oneOf(SCOPES);
    const operator = e.get("operator").oneOf(["In", "NotIn", "Exists", "DoesNotExist"] as const);
    const values = e
      .get("values")
      .list("a list of values")
      .map((x) => x.str());
    // model: ValidateScopedResourceSelectorRequirement: In/NotIn only for PriorityClass, with values.
    if ((operator === "In" || operator === "NotIn") && (scope !== "PriorityClass" || values.length === 0))
      e.get("operator").fail("In / NotIn only on the PriorityClass scope, with at least one value");
    scopes.push({ scope, operator, values });
  }
  return { name, namespace, hard, scopes };
}
