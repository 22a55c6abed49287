import type { ExpanderPriority } from "../../scenario/sections/cluster-autoscaler.js";
import type { ScaleUpOption } from "./option.js";

/**
 * model: expander/priority/priority.go: the cluster-autoscaler-priority-expander table maps
 * priorities to regular expressions over node group names (matched anywhere in the name, as
 * regexp.MatchString); the options whose group matches the highest priority win. Groups no
 * pattern matches are left out, unless nothing matches at all (then every option stays).
 */
export function byPriority(options: readonly ScaleUpOption[], table: readonly ExpanderPriority[]): ScaleUpOption[] {
  let best = Number.NEGATIVE_INFINITY;
  let out: ScaleUpOption[] = [];
  for (const o of options) {
    const p = priorityOf(o.group.name, table);
    if (p === undefined) continue;
    if (p > best) {
      best = p;
      out = [o];
    } else if (p === best) out.push(o);
  }
  return out.length === 0 ? [...options] : out;
}

/** The highest priority whose patterns match `name`, undefined when none does. */
export function priorityOf(name: string, table: readonly ExpanderPriority[]): number | undefined {
  // The table is sorted by priority, highest first (cluster-autoscaler.ts).
  for (const row of table) for (const p of row.patterns) if (new RegExp(p).test(name)) return row.priority;
  return undefined;
}
