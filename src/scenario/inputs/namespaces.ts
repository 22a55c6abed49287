import type { DeploymentSpec } from "../manifests.js";
import type { YamlReader } from "../yaml-reader.js";
import type { InputReport } from "./input-report.js";
import { NAMESPACE_FIELDS, reportUnmodelled } from "./modelled-fields.js";

/**
 * The namespaces every cluster has. model: the API server's system namespaces controller creates
 * them (pkg/controlplane/controller/systemnamespaces: default, kube-system, kube-public,
 * kube-node-lease).
 */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Reads a Namespace object: its name. */
export function readNamespace(r: YamlReader): string {
  reportUnmodelled(r.node, "Namespace", NAMESPACE_FIELDS, r.ctx.inputs, (o) => r.ctx.site(o));
  r.get("apiVersion").str({ pattern: /^v1$/, expected: '"v1"' });
  return r.get("metadata").get("name").str({ expected: "the Namespace's name" });
}

/** Where each workload was read, for the report of namespaces found once every input is read. */
const workloadSites = new WeakMap<DeploymentSpec, string>();

/** Records that workload `d` was read at `site` (`file:line`). */
export function noteWorkloadSite(d: DeploymentSpec, site: string): void {
  workloadSites.set(d, site);
}

/**
 * Reports, once per namespace, workloads in a namespace neither the inputs nor the system
 * declares. A real API server would refuse to create them (NamespaceLifecycle admission:
 * namespace not found); a dump of workloads without its Namespace objects is the usual cause,
 * so the run assumes the namespace exists and says so in the input report.
 */
export function reportUndeclaredNamespaces(
  deployments: readonly DeploymentSpec[],
  declared: readonly string[],
  report: InputReport,
): void {
  const known = new Set([...SYSTEM_NAMESPACES, ...declared]);
  for (const d of deployments)
    if (!known.has(d.namespace)) report.namespaceAssumed(d.namespace, workloadSites.get(d) ?? "");
}
