import type { YamlReader } from "../scenario/yaml-reader.js";
import type { ExtensionPoint, Handle, Plugin, PointsOf } from "./plugin.js";
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

/** Builds a plugin by upstream name with its args (null for defaults). */
export type PluginFactory = (h: Handle, args: YamlReader | null) => Plugin;

/** A registered plugin: how to build it, and the extension points its class declares. */
export interface RegistryEntry {
  readonly factory: PluginFactory;
  readonly points: readonly ExtensionPoint[];
}

/** An entry whose class's declared points are checked against its instances (see PointsOf). */
function entry<T extends Plugin>(
  cls: { readonly points: readonly PointsOf<T>[]; new (...args: never[]): T },
  factory: (h: Handle, args: YamlReader | null) => NoInfer<T>,
): RegistryEntry {
  return { factory, points: cls.points };
}

const entries: [string, RegistryEntry][] = [
  ["PrioritySort", entry(PrioritySort, () => new PrioritySort())],
  ["NodeUnschedulable", entry(NodeUnschedulable, (h) => new NodeUnschedulable(h))],
  ["NodeName", entry(NodeName, (h) => new NodeName(h))],
  ["TaintToleration", entry(TaintToleration, (h) => new TaintToleration(h))],
  ["NodeAffinity", entry(NodeAffinity, (h, a) => new NodeAffinity(h, a))],
  ["NodePorts", entry(NodePorts, (h) => new NodePorts(h))],
  ["NodeResourcesFit", entry(NodeResourcesFit, (h, a) => new NodeResourcesFit(h, a))],
  [
    "NodeResourcesBalancedAllocation",
    entry(NodeResourcesBalancedAllocation, (h, a) => new NodeResourcesBalancedAllocation(h, a)),
  ],
  ["ImageLocality", entry(ImageLocality, (h) => new ImageLocality(h))],
  ["PodTopologySpread", entry(PodTopologySpread, (h, a) => new PodTopologySpread(h, a))],
  ["InterPodAffinity", entry(InterPodAffinity, (h, a) => new InterPodAffinity(h, a))],
  ["DefaultPreemption", entry(DefaultPreemption, (h, a) => new DefaultPreemption(h, a))],
  ["DefaultBinder", entry(DefaultBinder, () => new DefaultBinder())],
  ...INERT_PLUGIN_NAMES.map((n): [string, RegistryEntry] => [n, entry(InertPlugin, () => new InertPlugin(n))]),
];

/**
 * The in-tree plugins by upstream name. model: pkg/scheduler/framework/plugins/registry.go
 * NewInTreeRegistry.
 */
export const REGISTRY: ReadonlyMap<string, RegistryEntry> = new Map(entries);

/** Whether plugin `name` implements extension point `point` (as its class declares). */
export function implementsPoint(name: string, point: ExtensionPoint): boolean {
  return REGISTRY.get(name)?.points.includes(point) === true;
}
