import type { ContainerManifest, DeploymentSpec } from "../manifests.js";
import type { ReadContext, YamlReader } from "../yaml-reader.js";
import { LIMIT_RANGE_FIELDS, reportUnmodelled } from "./modelled-fields.js";
import { readPolicyHead } from "./policy-head.js";

/** Resource name -> quantity in base units (cpu in cores), as container requests are read. */
type ResourceList = ReadonlyMap<string, number>;

/**
 * One item of a v1 LimitRange, with the API server's defaulting applied
 * (pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem, for type Container only): a missing
 * default limit is the max, a missing default request is the default limit, else the min.
 */
export interface LimitRangeItem {
  type: "Container" | "Pod";
  min: ResourceList;
  max: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
}

/** A v1 LimitRange of a namespace. */
export interface LimitRangeSpec {
  name: string;
  namespace: string;
  items: readonly LimitRangeItem[];
}

/** Reads a LimitRange object. Items of type PersistentVolumeClaim are reported as not modelled. */
export function readLimitRange(r: YamlReader): LimitRangeSpec {
  reportUnmodelled(r.node, "LimitRange", LIMIT_RANGE_FIELDS, r.ctx.inputs, (o) => r.ctx.site(o));
  const { name, namespace } = readPolicyHead(r, "LimitRange", /^v1$/, '"v1"', false);
  const items: LimitRangeItem[] = [];
  for (const it of r.get("spec").get("limits").list("a list of limit items (spec.limits)")) {
    const type = it.get("type").oneOf(["Container", "Pod", "PersistentVolumeClaim"] as const);
    if (type === "PersistentVolumeClaim") {
      // model: volume claims are not simulated, so their size limits have nothing to act on.
      r.ctx.inputs.fieldNotModelled("LimitRange", "spec.limits[].type=PersistentVolumeClaim", it.ctx.site(it.offset));
      continue;
    }
    const list = (key: string): Map<string, number> => {
      const m = new Map<string, number>();
      for (const [k, v] of it.get(key).entries()) m.set(k, v.quantity({ min: 0 }));
      return m;
    };
    const item = {
      type,
      min: list("min"),
      max: list("max"),
      default: list("default"),
      defaultRequest: list("defaultRequest"),
      maxLimitRequestRatio: list("maxLimitRequestRatio"),
    };
    if (type === "Pod" && (item.default.size > 0 || item.defaultRequest.size > 0))
      it.fail("default and defaultRequest only on items of type Container (ValidateLimitRange)");
    if (type === "Container") {
      for (const [k, v] of item.max) if (!item.default.has(k)) item.default.set(k, v);
      for (const [k, v] of item.default) if (!item.defaultRequest.has(k)) item.defaultRequest.set(k, v);
      for (const [k, v] of item.min) if (!item.defaultRequest.has(k)) item.defaultRequest.set(k, v);
    }
    items.push(item);
  }
  return { name, namespace, items };
}

/** Where each container's resources were written, for errors found once every LimitRange is known. */
const containerSites = new WeakMap<ContainerManifest, YamlReader>();

/** Records that `c`'s resources are at `r` (the container's `resources`). */
export function noteContainerResources(c: ContainerManifest, r: YamlReader): void {
  containerSites.set(c, r);
}

/**
 * The workloads with the LimitRanger admission plugin applied to their pod templates, as it
 * mutates and validates every pod created in the namespace
 * (plugin/pkg/admission/limitranger/admission.go): each Container item's default limits and
 * default requests fill what a container leaves unset, then min, max and maxLimitRequestRatio are
 * checked per container (Container items) and over the pod (Pod items: the sum over containers,
 * or the largest init container where that is more). The ranges cannot change during a run, so
 * applying them to the template is applying them to every pod. A template they refuse is a
 * located error: admission would refuse every pod the controller creates.
 */
export function applyLimitRanges(
  ctx: ReadContext,
  deployments: readonly DeploymentSpec[],
  ranges: readonly LimitRangeSpec[],
): DeploymentSpec[] {
  if (ranges.length === 0) return [...deployments];
  return deployments.map((d) => {
    const own = ranges.filter((lr) => lr.namespace === d.namespace);
    if (own.length === 0) return d;
    const containers = d.pod.containers.map((c) => defaulted(c, own));
    const initContainers = d.pod.initContainers.map((c) => defaulted(c, own));
    for (const lr of own)
      for (const item of lr.items) {
        if (item.type === "Container")
          for (const c of [...containers, ...initContainers]) checkItem(ctx, lr, item, c, c.requests, c.limits);
        else {
          const req = podTotal(containers, initContainers, (c) => c.requests);
          const lim = podTotal(containers, initContainers, (c) => c.limits);
          checkItem(ctx, lr, item, containers[0], req, lim);
        }
      }
    return { ...d, pod: { ...d.pod, containers, initContainers } };
  });
}

/** A container with every Container item's defaults filled in where it sets nothing. */
function defaulted(c: ContainerManifest, ranges: readonly LimitRangeSpec[]): ContainerManifest {
  const requests = new Map(c.requests);
  const limits = new Map(c.limits);
  for (const lr of ranges)
    for (const item of lr.items) {
      if (item.type !== "Container") continue;
      for (const [k, v] of item.default) if (!limits.has(k)) limits.set(k, v);
      for (const [k, v] of item.defaultRequest) if (!requests.has(k)) requests.set(k, v);
    }
  const out = { ...c, requests, limits };
  const site = containerSites.get(c);
  if (site !== undefined) containerSites.set(out, site);
  return out;
}

/** A pod's total of one resource list: containers summed, or the largest init container if more. */
function podTotal(
  containers: readonly ContainerManifest[],
  init: readonly ContainerManifest[],
  of: (c: ContainerManifest) => ResourceList,
): Map<string, number> {
  const sum = new Map<string, number>();
  for (const c of containers) for (const [k, v] of of(c)) sum.set(k, (sum.get(k) ?? 0) + v);
  for (const c of init) for (const [k, v] of of(c)) if (v > (sum.get(k) ?? 0)) sum.set(k, v);
  return sum;
}

/**
 * Checks one item's min, max and ratio against a container's (or the pod's) requests and limits,
 * as admission.go's minConstraint, maxConstraint and limitRequestRatioConstraint do: a min needs
 * a request at or above it, a max a limit at or below it, a ratio both with limit/request within it.
 */
function checkItem(
  ctx: ReadContext,
  lr: LimitRangeSpec,
  item: LimitRangeItem,
  at: ContainerManifest | undefined,
  requests: ResourceList,
  limits: ResourceList,
): void {
  const what = item.type === "Container" ? `container ${at?.name ?? ""}` : "the pod";
  const problems: string[] = [];
  for (const [k, min] of item.min) {
    const req = requests.get(k);
    if (req === undefined || req < min) problems.push(`${k} request ${req ?? "unset"} under the minimum ${min}`);
    const lim = limits.get(k);
    if (lim !== undefined && lim < min) problems.push(`${k} limit ${lim} under the minimum ${min}`);
  }
  for (const [k, max] of item.max) {
    const lim = limits.get(k);
    if (lim === undefined || lim > max) problems.push(`${k} limit ${lim ?? "unset"} over the maximum ${max}`);
    const req = requests.get(k);
    if (req !== undefined && req > max) problems.push(`${k} request ${req} over the maximum ${max}`);
  }
  for (const [k, ratio] of item.maxLimitRequestRatio) {
    const req = requests.get(k);
    const lim = limits.get(k);
    if (req === undefined || lim === undefined || req === 0 || lim / req > ratio)
      problems.push(`${k} limit/request ${req && lim ? (lim / req).toFixed(3) : "undefined"} over the ratio ${ratio}`);
  }
  if (problems.length === 0) return;
  const site = at === undefined ? undefined : containerSites.get(at);
  const expected = `resources that LimitRange ${lr.namespace}/${lr.name} admits (${item.type} item), or admission refuses every pod`;
  const found = `${what}: ${problems.join("; ")}`;
  if (site !== undefined) {
    site.ctx.report(site.path, site.offset, expected, found);
    ctx.absorb(site.ctx.issues);
  } else ctx.report("", 0, expected, found);
}
