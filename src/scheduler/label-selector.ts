import type { Interner } from "../cluster/interner.js";
import { namesOf, type ValueOf } from "../core/names-of.js";

/**
 * Selector operators with upstream spelling: label selectors use the first four, node selectors
 * all six. model: apimachinery pkg/labels/selector.go, core/v1 NodeSelectorOperator.
 */
export const Op = { In: 0, NotIn: 1, Exists: 2, DoesNotExist: 3, Gt: 4, Lt: 5 } as const;
export type Op = ValueOf<typeof Op>;
export const OP_NAMES = namesOf(Op);

/** One compiled requirement over interned label ids. */
export interface Requirement {
  key: number;
  op: Op;
  /** Interned value ids (In / NotIn). */
  values: Int32Array;
  /** The integer operand of Gt / Lt. */
  num: number;
}

/**
 * A compiled metav1.LabelSelector. `nothing` is a nil selector (matches no object); an empty
 * requirement list otherwise is `labels.Everything()`. model: metav1.LabelSelectorAsSelector.
 */
export interface LabelSelector {
  nothing: boolean;
  reqs: readonly Requirement[];
}

/** The nil selector: matches nothing. */
export const NOTHING: LabelSelector = { nothing: true, reqs: [] };

/** Interned labels of a pod: key id to value id. */
export type LabelSet = ReadonlyMap<number, number>;

/** Parses a decimal integer label value as upstream's strconv.ParseInt(v, 10, 64); NaN if not one. */
export function parseIntLabel(s: string): number {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : NaN;
}

/**
 * Whether requirement `r` holds for a label whose value id is `v` (-1 when absent).
 * `numeric(id)` gives the integer a value id spells (NaN when it is not an integer).
 * model: labels.Requirement.Matches: NotIn and DoesNotExist hold for an absent label, Gt / Lt
 * need the label present and an integer value.
 */
export function requirementHolds(r: Requirement, v: number, numeric: (id: number) => number): boolean {
  switch (r.op) {
    case Op.In: {
      if (v < 0) return false;
      const vs = r.values;
      for (let i = 0; i < vs.length; i++) if (vs[i] === v) return true;
      return false;
    }
    case Op.NotIn: {
      if (v < 0) return true;
      const vs = r.values;
      for (let i = 0; i < vs.length; i++) if (vs[i] === v) return false;
      return true;
    }
    case Op.Exists:
      return v >= 0;
    case Op.DoesNotExist:
      return v < 0;
    case Op.Gt: {
      if (v < 0) return false;
      const x = numeric(v);
      return !Number.isNaN(x) && x > r.num;
    }
    case Op.Lt: {
      if (v < 0) return false;
      const x = numeric(v);
      return !Number.isNaN(x) && x < r.num;
    }
  }
  return false;
}

/** Whether a label selector matches a pod's labels. */
export function selectorMatches(sel: LabelSelector, labels: LabelSet, numeric: (id: number) => number): boolean {
  if (sel.nothing) return false;
  for (const r of sel.reqs) if (!requirementHolds(r, labels.get(r.key) ?? -1, numeric)) return false;
  return true;
}

/** Upstream `Selector.Empty()`: true for Everything (no requirements), false for Nothing. */
export function selectorEmpty(sel: LabelSelector): boolean {
  return !sel.nothing && sel.reqs.length === 0;
}

/** Adds `key In (value)` requirements to a selector (matchLabelKeys merging). */
export function withExtraIn(
  sel: LabelSelector,
  extra: readonly (readonly [number, number])[],
  op: Op = Op.In,
): LabelSelector {
  if (extra.length === 0) return sel;
  const reqs: Requirement[] = extra.map(([key, value]) => ({ key, op, values: Int32Array.of(value), num: 0 }));
  return { nothing: false, reqs: [...reqs, ...sel.reqs] };
}

/** Renders a selector back to text (for explain output and errors). */
export function selectorString(sel: LabelSelector, labels: Interner): string {
  if (sel.nothing) return "<none>";
  return sel.reqs
    .map((r) => {
      const k = labels.name(r.key);
      switch (r.op) {
        case Op.Exists:
          return k;
        case Op.DoesNotExist:
          return `!${k}`;
        case Op.Gt:
          return `${k}>${r.num}`;
        case Op.Lt:
          return `${k}<${r.num}`;
        default:
          return `${k} ${r.op === Op.In ? "in" : "notin"} (${Array.from(r.values, (v) => labels.name(v)).join(",")})`;
      }
    })
    .join(",");
}
