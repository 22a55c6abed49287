import type { YamlReader } from "../yaml-reader.js";
import { PDB_FIELDS, reportUnmodelled } from "./modelled-fields.js";
import { readPolicyHead } from "./policy-head.js";

/** An intstr.IntOrString of a budget: a count, or a percentage of the expected pods. */
export interface IntOrPercent {
  value: number;
  percent: boolean;
}

/** One requirement of a label selector's matchExpressions, with upstream's operator names. */
export interface SelectorExpression {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values: readonly string[];
}

/**
 * A policy/v1 PodDisruptionBudget. `selector` undefined is a null selector (selects no pod);
 * an empty one selects every pod of the namespace (policy/v1 semantics).
 */
export interface PdbSpec {
  name: string;
  namespace: string;
  selector: { matchLabels: ReadonlyMap<string, string>; matchExpressions: readonly SelectorExpression[] } | undefined;
  /** At most one of the two is set (validation.go ValidatePodDisruptionBudgetSpec). */
  minAvailable: IntOrPercent | undefined;
  maxUnavailable: IntOrPercent | undefined;
}

/** model: intstr percentages are "<int>%" (intstr.GetScaledValueFromIntOrPercent). */
const PERCENT = /^[0-9]+%$/;

/** An int-or-percent field (a count, or a percentage of at most 100%); undefined when absent. */
export function readIntOrPercent(r: YamlReader): IntOrPercent | undefined {
  if (!r.present) return undefined;
  const v = r.value();
  if (typeof v === "string") {
    if (!PERCENT.test(v)) {
      r.fail('an integer or a percentage ("50%")');
      return undefined;
    }
    const value = Number(v.slice(0, -1));
    if (value > 100) r.fail("a percentage of at most 100%");
    return { value, percent: true };
  }
  return { value: r.int({ min: 0, max: 2_147_483_647 }), percent: false };
}

/** Reads a PodDisruptionBudget object; fields the run does not model are reported once per path. */
export function readPodDisruptionBudget(r: YamlReader): PdbSpec {
  reportUnmodelled(r.node, "PodDisruptionBudget", PDB_FIELDS, r.ctx.inputs, (o) => r.ctx.site(o));
  const { name, namespace } = readPolicyHead(r, "PodDisruptionBudget", /^policy\/v1$/, '"policy/v1"', true);
  const spec = r.get("spec");
  // model: k8s.io/api/policy/v1 PodDisruptionBudgetSpec.
  spec.object(["minAvailable", "selector", "maxUnavailable", "unhealthyPodEvictionPolicy"]);
  const sel = spec.get("selector");
  sel.object(["matchLabels", "matchExpressions"]);
  let selector: PdbSpec["selector"];
  if (sel.present && sel.isMap()) {
    const matchLabels = new Map<string, string>();
    for (const [k, v] of sel.get("matchLabels").entries()) matchLabels.set(k, v.str());
    const matchExpressions: SelectorExpression[] = [];
    for (const e of sel.get("matchExpressions").list("a list of label selector requirements")) {
      e.object(["key", "operator", "values"]);
      const operator = e.get("operator").oneOf(["In", "NotIn", "Exists", "DoesNotExist"] as const);
      const values = e
        .get("values")
        .list("a list of values")
        .map((x) => x.str());
      if ((operator === "In" || operator === "NotIn") && values.length === 0)
        e.get("values").fail("at least one value for In / NotIn");
      matchExpressions.push({ key: e.get("key").str(), operator, values });
    }
    selector = { matchLabels, matchExpressions };
  }
  const minAvailable = readIntOrPercent(spec.get("minAvailable"));
  const maxUnavailable = readIntOrPercent(spec.get("maxUnavailable"));
  if (minAvailable !== undefined && maxUnavailable !== undefined)
    spec.get("maxUnavailable").fail("minAvailable or maxUnavailable, not both");
  return { name, namespace, selector, minAvailable, maxUnavailable };
}

/** Whether budget `pdb` selects a pod of `namespace` carrying `labels` (metav1.LabelSelectorAsSelector). */
export function pdbSelects(pdb: PdbSpec, namespace: string, labels: ReadonlyMap<string, string>): boolean {
  const sel = pdb.selector;
  if (sel === undefined || namespace !== pdb.namespace) return false;
  for (const [k, v] of sel.matchLabels) if (labels.get(k) !== v) return false;
  for (const e of sel.matchExpressions) {
    const v = labels.get(e.key);
    const holds =
      e.operator === "In"
        ? v !== undefined && e.values.includes(v)
        : e.operator === "NotIn"
          ? v === undefined || !e.values.includes(v)
          : e.operator === "Exists"
            ? v !== undefined
            : v === undefined;
    if (!holds) return false;
  }
  return true;
}
