import type { PluginFactory } from "./framework.js";
import { DefaultBinder } from "./plugins/default-binder.js";
import { DefaultPreemption } from "./plugins/default-preemption.js";
import { ImageLocality } from "./plugins/image-locality.js";
import { InertPlugin, INERT_PLUGIN_NAMES } from "./plugins/inert-plugins.js";
import { InterPodAffinity } from "./plugins/inter-pod-affinity.js";
import { NodeAffinity } from "./plugins/node-affinity.js";
import { NodeName } from "./plugins/node-name.js";
import { NodePorts } from "./plugins/node-ports.js";
import { NodeResourcesBalancedAllocation } from "./plugins/node-resources-balanced-allocation.js";
import { NodeResourcesFit } from "./plugins/node-resources-fit.js";
import { NodeUnschedulable } from "./plugins/node-unschedulable.js";
import { PodTopologySpread } from "./plugins/pod-topology-spread.js";
import { PrioritySort } from "./plugins/priority-sort.js";
import { TaintToleration } from "./plugins/taint-toleration.js";

/** A registered plugin: how to build it, and its prototype (to tell which extension points it has). */
export interface RegistryEntry {
  factory: PluginFactory;
  proto: object;
}

const entries: [string, RegistryEntry][] = [
  ["PrioritySort", { factory: () => new PrioritySort(), proto: PrioritySort.prototype }],
  ["NodeUnschedulable", { factory: (h) => new NodeUnschedulable(h), proto: NodeUnschedulable.prototype }],
  ["NodeName", { factory: (h) => new NodeName(h), proto: NodeName.prototype }],
  ["TaintToleration", { factory: (h) => new TaintToleration(h), proto: TaintToleration.prototype }],
  ["NodeAffinity", { factory: (h, a) => new NodeAffinity(h, a), proto: NodeAffinity.prototype }],
  ["NodePorts", { factory: (h) => new NodePorts(h), proto: NodePorts.prototype }],
  ["NodeResourcesFit", { factory: (h, a) => new NodeResourcesFit(h, a), proto: NodeResourcesFit.prototype }],
  [
    "NodeResourcesBalancedAllocation",
    { factory: (h, a) => new NodeResourcesBalancedAllocation(h, a), proto: NodeResourcesBalancedAllocation.prototype },
  ],
  ["ImageLocality", { factory: (h) => new ImageLocality(h), proto: ImageLocality.prototype }],
  ["PodTopologySpread", { factory: (h, a) => new PodTopologySpread(h, a), proto: PodTopologySpread.prototype }],
  ["InterPodAffinity", { factory: (h, a) => new InterPodAffinity(h, a), proto: InterPodAffinity.prototype }],
  ["DefaultPreemption", { factory: (h, a) => new DefaultPreemption(h, a), proto: DefaultPreemption.prototype }],
  ["DefaultBinder", { factory: () => new DefaultBinder(), proto: DefaultBinder.prototype }],
  ...INERT_PLUGIN_NAMES.map((n): [string, RegistryEntry] => [
    n,
    { factory: () => new InertPlugin(n), proto: InertPlugin.prototype },
  ]),
];

/**
 * The in-tree plugins by upstream name. model: pkg/scheduler/framework/plugins/registry.go
 * NewInTreeRegistry.
 */
export const REGISTRY: ReadonlyMap<string, RegistryEntry> = new Map(entries);

/** Factories only, as the Framework takes them. */
export const FACTORIES: ReadonlyMap<string, PluginFactory> = new Map(entries.map(([n, e]) => [n, e.factory]));

/** Extension points with the method that marks a plugin as implementing them. */
export const EXTENSION_METHODS = {
  queueSort: "less",
  preFilter: "preFilter",
  filter: "filterNodes",
  postFilter: "postFilter",
  preScore: "preScore",
  score: "score",
  reserve: "reserve",
  permit: "permit",
  bind: "bind",
} as const;
export type ExtensionPoint = keyof typeof EXTENSION_METHODS;

/** Whether plugin `name` implements extension point `point`. */
export function implementsPoint(name: string, point: ExtensionPoint): boolean {
  const e = REGISTRY.get(name);
  return e !== undefined && typeof (e.proto as Record<string, unknown>)[EXTENSION_METHODS[point]] === "function";
}
