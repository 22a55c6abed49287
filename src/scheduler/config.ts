import { readFileSync } from "node:fs";
import { ScenarioError } from "../scenario/scenario-error.js";
import { readYamlDocuments, type YamlReader } from "../scenario/yaml-reader.js";
import type { ResolvedProfile } from "./framework.js";
import { EXTENSION_POINTS, type ExtensionPoint } from "./plugin.js";
import { implementsPoint, REGISTRY } from "./registry.js";

/** A plugin reference in a PluginSet. */
interface PluginRef {
  name: string;
  weight: number;
}
interface PluginSet {
  enabled: PluginRef[];
  disabled: string[];
}

/** A profile ready to build: its plugin lists and its plugins' args. */
export interface ProfileConfig {
  resolved: ResolvedProfile;
  args: Map<string, YamlReader>;
}

/**
 * A kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration with upstream defaults applied.
 * model: pkg/scheduler/apis/config/v1/defaults.go SetDefaults_KubeSchedulerConfiguration.
 */
export interface SchedulerConfig {
  parallelism: number;
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  /** clientConnection.qps / burst when the file sets them. */
  qps: number | null;
  burst: number | null;
  profiles: ProfileConfig[];
}

/**
 * The default plugin set with upstream weights (MultiPoint), in upstream order.
 * model: pkg/scheduler/apis/config/v1/default_plugins.go getDefaultPlugins (v1.34: with
 * SchedulingGates and DynamicResources; the cloud volume limit plugins are gone).
 */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: "SchedulingGates", weight: 0 },
  { name: "PrioritySort", weight: 0 },
  { name: "NodeUnschedulable", weight: 0 },
  { name: "NodeName", weight: 0 },
  { name: "TaintToleration", weight: 3 },
  { name: "NodeAffinity", weight: 2 },
  { name: "NodePorts", weight: 0 },
  { name: "NodeResourcesFit", weight: 1 },
  { name: "VolumeRestrictions", weight: 0 },
  { name: "NodeVolumeLimits", weight: 0 },
  { name: "VolumeBinding", weight: 0 },
  { name: "VolumeZone", weight: 0 },
  { name: "PodTopologySpread", weight: 2 },
  { name: "InterPodAffinity", weight: 2 },
  { name: "DynamicResources", weight: 0 },
  { name: "DefaultPreemption", weight: 0 },
  { name: "NodeResourcesBalancedAllocation", weight: 1 },
  { name: "ImageLocality", weight: 1 },
  { name: "DefaultBinder", weight: 0 },
];

const POINTS = EXTENSION_POINTS;
/** The keys of a profile's `plugins`: the resolved points, multiPoint, and the points simctl accepts but does not run. */
const FILE_POINTS = ["multiPoint", "preEnqueue", ...EXTENSION_POINTS, "preBind", "postBind"] as const;
const TOP_KEYS = [
  "apiVersion",
  "kind",
  "parallelism",
  "percentageOfNodesToScore",
  "podInitialBackoffSeconds",
  "podMaxBackoffSeconds",
  "profiles",
  "extenders",
  "clientConnection",
  "leaderElection",
  "enableProfiling",
  "enableContentionProfiling",
  "delayCacheUntilActive",
];

/** model: apis/config/v1 mergePluginSet: defaults minus disabled ("*" all), custom replacing in place, the rest appended. */
function mergePluginSet(def: PluginSet, custom: PluginSet): PluginSet {
  const disabled = new Set([...custom.disabled, ...def.disabled]);
  const customByName = new Map(custom.enabled.map((p, i) => [p.name, i]));
  const replaced = new Set<number>();
  const enabled: PluginRef[] = [];
  if (!disabled.has("*")) {
    for (const p of def.enabled) {
      if (disabled.has(p.name)) continue;
      const i = customByName.get(p.name);
      if (i !== undefined) {
        enabled.push(custom.enabled[i]!);
        replaced.add(i);
      } else enabled.push(p);
    }
  }
  custom.enabled.forEach((p, i) => {
    if (!replaced.has(i)) enabled.push(p);
  });
  return { enabled, disabled: [...custom.disabled, ...def.disabled] };
}

/**
 * Resolves the plugins of one profile per extension point as upstream's framework does
 * (expandMultiPointPlugins): plugins explicitly enabled at a point that MultiPoint also enables
 * come first, then MultiPoint-only plugins, then the remaining explicit ones; a point with
 * `disabled: ["*"]` takes only its explicit plugins. Score weights: the explicit Score entry's,
 * else the MultiPoint one's, 0 meaning 1.
 */
export function resolveProfile(
  schedulerName: string,
  percentage: number | null,
  custom: Partial<Record<(typeof FILE_POINTS)[number], PluginSet>>,
): ResolvedProfile {
  const empty: PluginSet = { enabled: [], disabled: [] };
  const multi = mergePluginSet({ enabled: [...DEFAULT_MULTI_POINT], disabled: [] }, custom.multiPoint ?? empty);
  const seen = new Set<string>();
  for (const p of multi.enabled) {
    if (seen.has(p.name))
      throw new Error(`profile ${schedulerName}: plugin "${p.name}" already registered as multiPoint`);
    if (!REGISTRY.has(p.name)) throw new Error(`profile ${schedulerName}: plugin "${p.name}" does not exist`);
    seen.add(p.name);
  }
  const lists = {} as Record<ExtensionPoint, PluginRef[]>;
  for (const point of POINTS) {
    const set = mergePluginSet(empty, custom[point] ?? empty);
    for (const p of set.enabled)
      if (!REGISTRY.has(p.name)) throw new Error(`profile ${schedulerName}: plugin "${p.name}" does not exist`);
    const explicit = set.enabled;
    const explicitNames = new Set(explicit.map((p) => p.name));
    const disabled = new Set(set.disabled);
    if (disabled.has("*")) {
      lists[point] = explicit;
      continue;
    }
    const overrides: PluginRef[] = [];
    const fromMulti: PluginRef[] = [];
    for (const p of multi.enabled) {
      if (!implementsPoint(p.name, point) || disabled.has(p.name)) continue;
      if (explicitNames.has(p.name)) overrides.push(explicit.find((e) => e.name === p.name)!);
      else fromMulti.push(p);
    }
    const ordered: PluginRef[] = [];
    const names = new Set<string>();
    for (const p of [...overrides, ...fromMulti, ...explicit]) {
      if (names.has(p.name)) continue;
      names.add(p.name);
      ordered.push(p);
    }
    lists[point] = ordered;
  }
  const multiWeight = new Map(multi.enabled.map((p) => [p.name, p.weight]));
  const explicitScore = new Map((custom.score?.enabled ?? []).map((p) => [p.name, p.weight]));
  const names = (point: ExtensionPoint) => lists[point].map((p) => p.name);
  return {
    schedulerName,
    percentageOfNodesToScore: percentage,
    queueSort: names("queueSort"),
    preFilter: names("preFilter"),
    filter: names("filter"),
    postFilter: names("postFilter"),
    preScore: names("preScore"),
    score: lists.score.map((p) => {
      const w = explicitScore.get(p.name) || multiWeight.get(p.name) || 0;
      return { name: p.name, weight: w === 0 ? 1 : w };
    }),
    reserve: names("reserve"),
    permit: names("permit"),
    bind: names("bind"),
  };
}

/** The configuration kube-scheduler runs with when given none: one default-scheduler profile. */
export function defaultSchedulerConfig(): SchedulerConfig {
  return {
    parallelism: 16,
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
    qps: null,
    burst: null,
    profiles: [{ resolved: resolveProfile("default-scheduler", null, {}), args: new Map() }],
  };
}

function readPluginSet(r: YamlReader): PluginSet {
  r.object(["enabled", "disabled"]);
  const enabled = r
    .get("enabled")
    .list()
    .map((p) => {
      p.object(["name", "weight"]);
      return { name: p.get("name").str(), weight: p.get("weight").int({ min: 0, default: 0 }) };
    });
  const disabled = r
    .get("disabled")
    .list()
    .map((p) => {
      p.object(["name"]);
      return p.get("name").str();
    });
  return { enabled, disabled };
}

/**
 * Reads a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) from YAML text. Problems
 * are thrown together as a ScenarioError with file, path, line and column.
 */
export function parseSchedulerConfig(file: string, text: string): SchedulerConfig {
  const { ctx, docs } = readYamlDocuments(file, text);
  const r = docs[0];
  if (r === undefined || !r.present) {
    ctx.report("", 0, "a KubeSchedulerConfiguration document", "nothing");
    ctx.throwIfIssues();
  }
  const root = r!;
  root.object(TOP_KEYS);
  root
    .get("apiVersion")
    .str({ pattern: /^kubescheduler\.config\.k8s\.io\/v1$/, expected: '"kubescheduler.config.k8s.io/v1"' });
  root.get("kind").str({ pattern: /^KubeSchedulerConfiguration$/, expected: '"KubeSchedulerConfiguration"' });
  if (root.get("extenders").present && root.get("extenders").list().length > 0)
    root.get("extenders").fail("no extenders (simctl does not model scheduler extenders)");
  const cc = root.get("clientConnection");
  cc.object(["qps", "burst", "contentType", "acceptContentTypes", "kubeconfig"]);
  const cfg: SchedulerConfig = {
    parallelism: root.get("parallelism").int({ min: 1, default: 16 }),
    percentageOfNodesToScore: root.get("percentageOfNodesToScore").int({ min: 0, max: 100, default: 0 }),
    podInitialBackoffSeconds: root.get("podInitialBackoffSeconds").int({ min: 1, default: 1 }),
    podMaxBackoffSeconds: root.get("podMaxBackoffSeconds").int({ min: 1, default: 10 }),
    qps: cc.get("qps").present ? cc.get("qps").num({ min: 0 }) : null,
    burst: cc.get("burst").present ? cc.get("burst").int({ min: 0 }) : null,
    profiles: [],
  };
  if (cfg.podMaxBackoffSeconds < cfg.podInitialBackoffSeconds)
    root
      .get("podMaxBackoffSeconds")
      .fail(`a value no less than podInitialBackoffSeconds (${cfg.podInitialBackoffSeconds})`);
  const profiles = root.get("profiles").list("a list of profiles");
  const names = new Set<string>();
  const list = profiles.length === 0 ? [null] : profiles;
  for (const p of list) {
    p?.object(["schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig"]);
    // model: a single profile defaults its schedulerName to default-scheduler.
    const name =
      p === null
        ? "default-scheduler"
        : list.length === 1
          ? p.get("schedulerName").str({ default: "default-scheduler" })
          : p.get("schedulerName").str();
    if (names.has(name)) p?.get("schedulerName").fail("a schedulerName not used by another profile");
    names.add(name);
    const pct = p?.get("percentageOfNodesToScore").present
      ? p.get("percentageOfNodesToScore").int({ min: 0, max: 100 })
      : null;
    const custom: Partial<Record<(typeof FILE_POINTS)[number], PluginSet>> = {};
    const plugins = p?.get("plugins");
    if (plugins?.present) {
      plugins.object(FILE_POINTS);
      for (const point of FILE_POINTS)
        if (plugins.get(point).present) custom[point] = readPluginSet(plugins.get(point));
    }
    const args = new Map<string, YamlReader>();
    for (const pc of p?.get("pluginConfig").list() ?? []) {
      pc.object(["name", "args"]);
      const n = pc.get("name").str();
      if (!REGISTRY.has(n)) pc.get("name").fail(`an in-tree plugin name (${[...REGISTRY.keys()].join(", ")})`);
      if (args.has(n)) pc.get("name").fail("a plugin not configured twice in one profile");
      args.set(n, pc.get("args"));
    }
    try {
      cfg.profiles.push({ resolved: resolveProfile(name, pct, custom), args });
    } catch (e) {
      (plugins ?? root).fail((e as Error).message.replace(/^profile [^:]+: /, "a valid plugin configuration; "));
    }
  }
  const sorts = new Set(cfg.profiles.map((p) => p.resolved.queueSort.join(",")));
  if (sorts.size > 1) root.get("profiles").fail("the same queueSort plugins in every profile");
  ctx.throwIfIssues();
  return cfg;
}

/** Reads a KubeSchedulerConfiguration file. */
export function loadSchedulerConfig(file: string): SchedulerConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError([
      {
        file,
        path: "",
        line: 0,
        column: 0,
        expected: "a readable KubeSchedulerConfiguration file",
        found: (e as Error).message,
      },
    ]);
  }
  return parseSchedulerConfig(file, text);
}
