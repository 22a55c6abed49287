import type { PodTable } from "../cluster/pod-table.js";
import { columnTable } from "../core/column-table.js";
import type { ContainerManifest, DeploymentSpec, PodManifest } from "../scenario/manifests.js";
import { quotaUnits, type ResourceQuotaSpec, type ScopeRequirement } from "../scenario/inputs/resource-quotas.js";
import { Status } from "./request-table.js";

/** A pod's charge state: nothing, every tracked resource, or only `count/pods` (it reached a terminal phase). */
const UNCHARGED = 0;
const CHARGED = 1;
const COUNT_ONLY = 2;

const PodCharges = columnTable({ state: { type: "Uint8", unset: UNCHARGED } });

/** What one template's pods are charged against one quota: the tracked resources they use. */
interface QuotaCharge {
  quota: number;
  /** Indices into the quota's `keys`, and the amount of each, in quotaUnits. */
  keys: Int32Array;
  amounts: Float64Array;
  /** Set when a container leaves unset a compute resource the quota tracks ("must specify ..."). */
  missing: string | undefined;
}

/** One quota's state during the run: its limits and what is charged against them now. */
export interface QuotaState {
  spec: ResourceQuotaSpec;
  keys: readonly string[];
  hard: Float64Array;
  used: Float64Array;
  peak: Float64Array;
  /** Pod creates refused for exceeding it or for a missing request or limit. */
  rejections: number;
  /** The first refusal's message, as the API server words it; "" before any. */
  firstRejection: string;
}

/**
 * The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota, with the pod evaluator
 * of pkg/quota/v1/evaluator/core/pods.go) for pod creates: every quota of the pod's namespace
 * whose scopes cover the pod is checked; a create that would take a tracked resource past `hard`,
 * or whose containers leave a quota'd cpu or memory request or limit unset, is refused with 403
 * Forbidden, otherwise it is charged to every such quota. Usage is released when the pod reaches a
 * terminal phase (`count/pods` only when the object is removed), as QuotaV1Pod stops charging it.
 *
 * model: the quota's status write that admission makes with each charge, and the resourcequota
 * controller's recalculation, are not simulated: usage is released the moment the pod's delete or
 * terminal phase is committed, where upstream waits for the controller's sync after its watch
 * event (milliseconds in a healthy control plane).
 */
export class ResourceQuotas {
  readonly quotas: QuotaState[];
  private readonly pods: PodTable;
  private readonly templateSpecs: readonly DeploymentSpec[];
  /** Per template id: its charges, computed on its first pod (undefined until then). */
  private readonly chargesOf: (QuotaCharge[] | undefined)[] = [];
  private readonly charged = new PodCharges(1024);

  constructor(specs: readonly ResourceQuotaSpec[], pods: PodTable, templateSpecs: readonly DeploymentSpec[]) {
    this.pods = pods;
    this.templateSpecs = templateSpecs;
    this.quotas = specs.map((spec) => {
      const keys = [...spec.hard.keys()];
      return {
        spec,
        keys,
        hard: Float64Array.from(keys, (k) => spec.hard.get(k)!),
        used: new Float64Array(keys.length),
        peak: new Float64Array(keys.length),
        rejections: 0,
        firstRejection: "",
      };
    });
  }

  /**
   * Admission of the create of `pod`: Status.ok when charged (or already charged: a pod that
   * existed before the run), Status.forbidden when a quota refuses it (nothing charged then).
   */
  admitCreate(pod: number): number {
    this.charged.ensureRow(pod);
    if (this.charged.state[pod] !== UNCHARGED) return Status.ok;
    const charges = this.charges(this.pods.template[pod]!);
    for (const c of charges) {
      const q = this.quotas[c.quota]!;
      let refusal = c.missing === undefined ? "" : `failed quota: ${q.spec.name}: must specify ${c.missing}`;
      for (let i = 0; i < c.keys.length && refusal === ""; i++) {
        const k = c.keys[i]!;
        if (q.used[k]! + c.amounts[i]! > q.hard[k]!) refusal = exceeded(q, k, c.amounts[i]!);
      }
      if (refusal !== "") {
        q.rejections++;
        if (q.firstRejection === "") q.firstRejection = refusal;
        return Status.forbidden;
      }
    }
    for (const c of charges) this.add(c, 1, false);
    this.charged.state[pod] = CHARGED;
    return Status.ok;
  }

  /** Charges a pod that exists when the run starts (cluster.pods): no admission, as it was admitted before. */
  chargeExisting(pod: number): void {
    this.charged.ensureRow(pod);
    if (this.charged.state[pod] !== UNCHARGED) return;
    for (const c of this.charges(this.pods.template[pod]!)) this.add(c, 1, false);
    this.charged.state[pod] = CHARGED;
  }

  /** Pod `pod` reached a terminal phase: it no longer uses its compute resources or `pods`. */
  podFinished(pod: number): void {
    if (pod >= this.charged.capacity || this.charged.state[pod] !== CHARGED) return;
    for (const c of this.charges(this.pods.template[pod]!)) this.add(c, -1, true);
    this.charged.state[pod] = COUNT_ONLY;
  }

  /** Pod `pod` was removed from storage: nothing of it is charged any longer. */
  podRemoved(pod: number): void {
    if (pod >= this.charged.capacity) return;
    const state = this.charged.state[pod]!;
    if (state === UNCHARGED) return;
    for (const c of this.charges(this.pods.template[pod]!)) {
      if (state === CHARGED) this.add(c, -1, false);
      else this.addCountOnly(c, -1);
    }
    this.charged.state[pod] = UNCHARGED;
  }

  private add(c: QuotaCharge, sign: number, exceptCount: boolean): void {
    const q = this.quotas[c.quota]!;
    for (let i = 0; i < c.keys.length; i++) {
      const k = c.keys[i]!;
      if (exceptCount && q.keys[k] === "count/pods") continue;
      q.used[k]! += sign * c.amounts[i]!;
      if (q.used[k]! > q.peak[k]!) q.peak[k] = q.used[k]!;
    }
  }

  private addCountOnly(c: QuotaCharge, sign: number): void {
    const q = this.quotas[c.quota]!;
    for (let i = 0; i < c.keys.length; i++) if (q.keys[c.keys[i]!] === "count/pods") q.used[c.keys[i]!]! += sign;
  }

  private charges(template: number): QuotaCharge[] {
    const known = this.chargesOf[template];
    if (known !== undefined) return known;
    const spec = this.templateSpecs[template]!;
    const usage = podUsage(spec.pod);
    const out: QuotaCharge[] = [];
    this.quotas.forEach((q, quota) => {
      if (q.spec.namespace !== spec.namespace || !covers(q.spec.scopes, spec.pod)) return;
      const keys: number[] = [];
      const amounts: number[] = [];
      q.keys.forEach((key, k) => {
        const v = usage.get(key);
        if (v === undefined) return;
        keys.push(k);
        amounts.push(v);
      });
      out.push({
        quota,
        keys: Int32Array.from(keys),
        amounts: Float64Array.from(amounts),
        missing: missingConstraints(q.keys, spec.pod),
      });
    });
    this.chargesOf[template] = out;
    return out;
  }
}

/** The API server's refusal message for a quota exceeded (admission/resourcequota controller.go). */
function exceeded(q: QuotaState, k: number, amount: number): string {
  const key = q.keys[k]!;
  return `exceeded quota: ${q.spec.name}, requested: ${key}=${amount}, used: ${key}=${q.used[k]}, limited: ${key}=${q.hard[k]}`;
}

/**
 * A pod's quota usage (pods.go PodUsageFunc): `pods` and `count/pods` 1; the containers' requests
 * and limits summed, or the largest init container's where that is more, charged as
 * `requests.<r>` (and the bare name for cpu, memory and ephemeral-storage) and `limits.<r>`.
 * Only resources the pod states are charged: an unset request charges nothing.
 */
export function podUsage(pod: PodManifest): Map<string, number> {
  const requests = effective(pod, (c) => c.requests);
  const limits = effective(pod, (c) => c.limits);
  const usage = new Map<string, number>([
    ["pods", 1],
    ["count/pods", 1],
  ]);
  for (const [r, v] of requests) {
    usage.set(`requests.${r}`, quotaUnits(r, v));
    if (r === "cpu" || r === "memory" || r === "ephemeral-storage" || r.startsWith("hugepages-"))
      usage.set(r, quotaUnits(r, v));
  }
  for (const [r, v] of limits) usage.set(`limits.${r}`, quotaUnits(r, v));
  return usage;
}

function effective(pod: PodManifest, of: (c: ContainerManifest) => ReadonlyMap<string, number>): Map<string, number> {
  const sum = new Map<string, number>();
  for (const c of pod.containers) for (const [r, v] of of(c)) sum.set(r, (sum.get(r) ?? 0) + v);
  for (const c of pod.initContainers) for (const [r, v] of of(c)) if (v > (sum.get(r) ?? 0)) sum.set(r, v);
  return sum;
}

/**
 * The compute resources the quota tracks that some container leaves unset (pods.go Constraints:
 * cpu and memory requests and limits only, "a mistake" kept for backward compatibility), sorted
 * and comma-joined as upstream's message has them; undefined when every container states them.
 */
function missingConstraints(keys: readonly string[], pod: PodManifest): string | undefined {
  const required = keys.filter((k) =>
    ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].includes(k),
  );
  if (required.length === 0) return undefined;
  const missing = new Set<string>();
  for (const c of [...pod.containers, ...pod.initContainers])
    for (const k of required) {
      const [list, r] = k.startsWith("limits.") ? [c.limits, k.slice(7)] : [c.requests, k.replace("requests.", "")];
      if (!list.has(r)) missing.add(k);
    }
  return missing.size === 0 ? undefined : [...missing].sort().join(",");
}

/** Whether a pod meets every scope requirement of a quota (pods.go podMatchesScopeFunc). */
function covers(scopes: readonly ScopeRequirement[], pod: PodManifest): boolean {
  for (const s of scopes) {
    let holds: boolean;
    switch (s.scope) {
      // model: Terminating means spec.activeDeadlineSeconds is set, which simctl's pods never
      // carry (the field is reported as not modelled where a template sets it).
      case "Terminating":
        holds = false;
        break;
      case "NotTerminating":
        holds = true;
        break;
      case "BestEffort":
        holds = isBestEffort(pod);
        break;
      case "NotBestEffort":
        holds = !isBestEffort(pod);
        break;
      case "PriorityClass": {
        const name = pod.priorityClassName;
        holds =
          s.operator === "Exists"
            ? name !== undefined
            : s.operator === "DoesNotExist"
              ? name === undefined
              : s.operator === "In"
                ? name !== undefined && s.values.includes(name)
                : name === undefined || !s.values.includes(name);
        break;
      }
    }
    // A DoesNotExist requirement on a non-PriorityClass scope negates it (scopeSelector semantics).
    if (s.scope !== "PriorityClass" && s.operator === "DoesNotExist") holds = !holds;
    if (!holds) return false;
  }
  return true;
}

/** QoS BestEffort: no container states a cpu or memory request or limit (pkg/apis/core/helper/qos). */
function isBestEffort(pod: PodManifest): boolean {
  for (const c of [...pod.containers, ...pod.initContainers])
    for (const r of ["cpu", "memory"]) if (c.requests.has(r) || c.limits.has(r)) return false;
  return true;
}
