import { lowest, type ScaleUpOption } from "./option.js";

/**
 * model: expander/waste/waste.go: per option, the share of the new nodes' cpu left unrequested
 * by the pods they would hold plus the same share of memory,
 * (available - requested) / available for each; the options with the lowest sum win.
 */
export function leastWaste(options: readonly ScaleUpOption[]): ScaleUpOption[] {
  return lowest(options, wasteScore);
}

/** The option's wasted cpu share plus wasted memory share. */
export function wasteScore(o: ScaleUpOption): number {
  const cpu = o.nodeCount * o.group.cpuMilli;
  const mem = o.nodeCount * o.group.memBytes;
  return (cpu - o.cpuMilli) / cpu + (mem - o.memBytes) / mem;
}
