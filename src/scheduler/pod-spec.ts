import { Document, LineCounter, type Node } from "yaml";
import type { Interner } from "../cluster/interner.js";
import { TaintEffect } from "../cluster/node-table.js";
import { ReadContext, YamlReader } from "../scenario/yaml-reader.js";
import { NOTHING, Op, type LabelSelector, type Requirement } from "./label-selector.js";

/** A compiled toleration. key -1 is the empty key (with Exists: every taint). */
export interface Toleration {
  key: number;
  exists: boolean;
  /** Value id, -1 for the empty value. */
  value: number;
  /** TaintEffect, or -1 for every effect. */
  effect: number;
}

/** A compiled NodeSelectorTerm: label requirements and metadata.name field requirements. */
export interface NodeSelectorTerm {
  reqs: readonly Requirement[];
  fields: readonly { op: Op; names: readonly string[] }[];
  /** False when the term failed to parse (it then matches no node, as upstream's lazy-error selector). */
  valid: boolean;
}

export interface WeightedNodeTerm {
  weight: number;
  term: NodeSelectorTerm;
}

/**
 * A compiled PodAffinityTerm. The term applies to pods in `namespaces`, or in any namespace
 * whose labels `nsSelector` matches. model: framework.AffinityTerm.Matches.
 */
export interface AffinityTerm {
  selector: LabelSelector;
  namespaces: ReadonlySet<string>;
  nsSelector: LabelSelector;
  topologyKey: number;
  weight: number;
}

/** A compiled TopologySpreadConstraint with upstream defaults applied. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: number;
  /** whenUnsatisfiable DoNotSchedule (Filter) rather than ScheduleAnyway (Score). */
  hard: boolean;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/**
 * What the scheduler knows of a pod, compiled once per group of identical pods (pods stamped
 * from one template share it). Strings are interned into the scheduler's label interner.
 */
export interface PodSpec {
  name: string;
  namespace: string;
  labels: ReadonlyMap<number, number>;
  priority: number;
  /** preemptionPolicy: Never. */
  preemptNever: boolean;
  schedulerName: string;
  /** spec.nodeName, "" when unset. */
  nodeName: string;
  /** Requests per NodeTable resource column; the pods column holds 1. */
  requests: Float64Array;
  nonZeroCpuMilli: number;
  nonZeroMemBytes: number;
  /** Normalized image name of each init container then each app container. */
  images: readonly string[];
  hostPorts: readonly HostPort[];
  nodeSelector: readonly Requirement[];
  /** Required node affinity terms (ORed), or null when the pod has none. */
  requiredTerms: readonly NodeSelectorTerm[] | null;
  preferredTerms: readonly WeightedNodeTerm[];
  tolerations: readonly Toleration[];
  affinityRequired: readonly AffinityTerm[];
  affinityPreferred: readonly AffinityTerm[];
  antiRequired: readonly AffinityTerm[];
  antiPreferred: readonly AffinityTerm[];
  spread: readonly SpreadConstraint[];
  /**
   * Selector of the pod's owning controllers (ReplicaSet, Services...), used by PodTopologySpread
   * system defaults; null when nothing selects the pod. model: helper.DefaultSelector.
   */
  ownerSelector: LabelSelector | null;
}

/** Whether the pod has any inter-pod (anti-)affinity term (upstream PodsWithAffinity). */
export function hasPodAffinity(s: PodSpec): boolean {
  return s.affinityRequired.length + s.affinityPreferred.length + s.antiRequired.length + s.antiPreferred.length > 0;
}

/**
 * The raw inputs of {@link compilePodSpec}: the PodSpec fields that pass through as they are,
 * the rest as strings (interned by the compile) or readers at YAML (or wrapped JSON).
 */
export interface PodSpecInput
  extends Pick<
    PodSpec,
    | "name"
    | "namespace"
    | "priority"
    | "schedulerName"
    | "nodeName"
    | "requests"
    | "nonZeroCpuMilli"
    | "nonZeroMemBytes"
    | "images"
    | "hostPorts"
  > {
  labels: ReadonlyMap<string, string>;
  preemptionPolicy: string;
  nodeSelector: ReadonlyMap<string, string>;
  tolerations: YamlReader;
  affinity: YamlReader;
  topologySpreadConstraints: YamlReader;
  ownerSelector: ReadonlyMap<string, string> | null;
}

/**
 * The input of a pod that is nothing but node constraints (its nodeSelector, tolerations and
 * affinity; no requests, images or spread): what a NodeAffinity addedAffinity or a DaemonSet's
 * nodeShouldRunDaemonPod is compiled from.
 */
export function nodeConstraintsInput(
  name: string,
  nodeSelector: ReadonlyMap<string, string>,
  tolerations: YamlReader,
  affinity: YamlReader,
): PodSpecInput {
  return {
    name,
    namespace: "",
    labels: new Map(),
    priority: 0,
    preemptionPolicy: "",
    schedulerName: "",
    nodeName: "",
    requests: new Float64Array(0),
    nonZeroCpuMilli: 0,
    nonZeroMemBytes: 0,
    images: [],
    hostPorts: [],
    nodeSelector,
    tolerations,
    affinity,
    topologySpreadConstraints: readerFor(undefined, "", ""),
    ownerSelector: null,
  };
}

/**
 * Appends ":latest" to an untagged image reference, as upstream's ImageLocality does.
 * model: imagelocality/image_locality.go normalizedImageName.
 */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

/** A reader over a plain JS value (a raw manifest field); issues carry the path but no line. */
export function readerFor(value: unknown, file: string, path: string): YamlReader {
  const doc = new Document(value === undefined ? null : value);
  return new YamlReader(new ReadContext(file, new LineCounter()), doc.contents as Node | null, path, 0);
}

const TOLERATION_KEYS = ["key", "operator", "value", "effect", "tolerationSeconds"];
const AFFINITY_KEYS = ["nodeAffinity", "podAffinity", "podAntiAffinity"];
const NODE_AFFINITY_KEYS = [
  "requiredDuringSchedulingIgnoredDuringExecution",
  "preferredDuringSchedulingIgnoredDuringExecution",
];
const POD_AFFINITY_KEYS = [
  "requiredDuringSchedulingIgnoredDuringExecution",
  "preferredDuringSchedulingIgnoredDuringExecution",
];
const TERM_KEYS = [
  "labelSelector",
  "namespaces",
  "topologyKey",
  "namespaceSelector",
  "matchLabelKeys",
  "mismatchLabelKeys",
];
const SPREAD_KEYS = [
  "maxSkew",
  "topologyKey",
  "whenUnsatisfiable",
  "labelSelector",
  "minDomains",
  "nodeAffinityPolicy",
  "nodeTaintsPolicy",
  "matchLabelKeys",
];
const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/**
 * Compiles a pod's scheduling fields, interning every label key and value into `labels`.
 * Problems are reported on the readers' context (file, path, line) and the caller throws them.
 */
export function compilePodSpec(input: PodSpecInput, labels: Interner): PodSpec {
  const labelMap = new Map<number, number>();
  for (const [k, v] of input.labels) labelMap.set(labels.intern(k), labels.intern(v));
  const nodeSelector: Requirement[] = [];
  for (const [k, v] of input.nodeSelector)
    nodeSelector.push({ key: labels.intern(k), op: Op.In, values: Int32Array.of(labels.intern(v)), num: 0 });
  const tolerations = input.tolerations.list("a list of tolerations").map((t) => readToleration(t, labels));
  const aff = input.affinity;
  aff.object(AFFINITY_KEYS);
  const na = aff.get("nodeAffinity");
  na.object(NODE_AFFINITY_KEYS);
  let requiredTerms: NodeSelectorTerm[] | null = null;
  const req = na.get("requiredDuringSchedulingIgnoredDuringExecution");
  if (req.present) {
    req.object(["nodeSelectorTerms"]);
    requiredTerms = req
      .get("nodeSelectorTerms")
      .list("a list of node selector terms")
      .map((t) => readNodeSelectorTerm(t, labels));
  }
  const preferredTerms: WeightedNodeTerm[] = na
    .get("preferredDuringSchedulingIgnoredDuringExecution")
    .list("a list of preferred scheduling terms")
    .map((p) => {
      p.object(["weight", "preference"]);
      return {
        weight: p.get("weight").int({ min: 0, max: 100 }),
        term: readNodeSelectorTerm(p.get("preference"), labels),
      };
    });
  const ns = input.namespace;
  const pa = aff.get("podAffinity");
  pa.object(POD_AFFINITY_KEYS);
  const anti = aff.get("podAntiAffinity");
  anti.object(POD_AFFINITY_KEYS);
  const required = (r: YamlReader) =>
    r
      .get("requiredDuringSchedulingIgnoredDuringExecution")
      .list("a list of pod affinity terms")
      .map((t) => readAffinityTerm(t, 1, ns, labelMap, labels));
  const preferred = (r: YamlReader) =>
    r
      .get("preferredDuringSchedulingIgnoredDuringExecution")
      .list("a list of weighted pod affinity terms")
      .map((w) => {
        w.object(["weight", "podAffinityTerm"]);
        return readAffinityTerm(
          w.get("podAffinityTerm"),
          w.get("weight").int({ min: 1, max: 100 }),
          ns,
          labelMap,
          labels,
        );
      });
  const spread = input.topologySpreadConstraints
    .list("a list of topology spread constraints")
    .map((c) => readSpread(c, labelMap, labels));
  let ownerSelector: LabelSelector | null = null;
  if (input.ownerSelector !== null && input.ownerSelector.size > 0) {
    ownerSelector = {
      nothing: false,
      reqs: [...input.ownerSelector].map(([k, v]) => ({
        key: labels.intern(k),
        op: Op.In,
        values: Int32Array.of(labels.intern(v)),
        num: 0,
      })),
    };
  }
  return {
    name: input.name,
    namespace: ns,
    labels: labelMap,
    priority: input.priority,
    preemptNever: input.preemptionPolicy === "Never",
    schedulerName: input.schedulerName,
    nodeName: input.nodeName,
    requests: input.requests,
    nonZeroCpuMilli: input.nonZeroCpuMilli,
    nonZeroMemBytes: input.nonZeroMemBytes,
    images: input.images.map(normalizedImageName),
    hostPorts: input.hostPorts,
    nodeSelector,
    requiredTerms,
    preferredTerms,
    tolerations,
    affinityRequired: required(pa),
    affinityPreferred: preferred(pa),
    antiRequired: required(anti),
    antiPreferred: preferred(anti),
    spread,
    ownerSelector,
  };
}

function readToleration(t: YamlReader, labels: Interner): Toleration {
  t.object(TOLERATION_KEYS);
  const key = t.get("key").str({ default: "" });
  const op = t.get("operator").oneOf(["Equal", "Exists"] as const, { default: "Equal" });
  const value = t.get("value").str({ default: "" });
  const effect = t.get("effect").present ? t.get("effect").oneOf(["", ...EFFECTS] as const) : "";
  if (op === "Exists" && value !== "") t.get("value").fail("no value with operator Exists");
  if (key === "" && op !== "Exists") t.get("operator").fail("operator Exists when the key is empty");
  return {
    key: key === "" ? -1 : labels.intern(key),
    exists: op === "Exists",
    value: value === "" ? -1 : labels.intern(value),
    effect: effect === "" ? -1 : TaintEffect[effect],
  };
}

function readNodeSelectorTerm(t: YamlReader, labels: Interner): NodeSelectorTerm {
  t.object(["matchExpressions", "matchFields"]);
  let valid = true;
  const reqs: Requirement[] = t
    .get("matchExpressions")
    .list("a list of node selector requirements")
    .map((e) => {
      e.object(["key", "operator", "values"]);
      const key = labels.intern(e.get("key").str());
      const op = Op[e.get("operator").oneOf(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] as const)];
      const raw = e
        .get("values")
        .list("a list of values")
        .map((v) => scalarString(v));
      let num = 0;
      if (op === Op.In || op === Op.NotIn) {
        if (raw.length === 0) valid = false; // model: nodeSelectorRequirementsAsSelector rejects In/NotIn without values
      } else if (op === Op.Exists || op === Op.DoesNotExist) {
        if (raw.length > 0) valid = false;
      } else {
        num = raw.length === 1 ? Number(raw[0]) : NaN;
        if (raw.length !== 1 || !/^[+-]?[0-9]+$/.test(raw[0]!)) valid = false;
      }
      return { key, op, values: Int32Array.from(raw, (v) => labels.intern(v)), num };
    });
  const fields = t
    .get("matchFields")
    .list("a list of field selector requirements")
    .map((f) => {
      f.object(["key", "operator", "values"]);
      const key = f.get("key").str();
      const op = Op[f.get("operator").oneOf(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] as const)];
      const names = f
        .get("values")
        .list("a list of values")
        .map((v) => scalarString(v));
      // model: nodeaffinity.go: only metadata.name with In / NotIn and exactly one value is valid.
      if (key !== "metadata.name" || (op !== Op.In && op !== Op.NotIn) || names.length !== 1) valid = false;
      return { op, names };
    });
  return { reqs, fields, valid };
}

function scalarString(r: YamlReader): string {
  const v = r.value();
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  r.fail("a string value");
  return "";
}

/** Reads a metav1.LabelSelector; an absent selector is nil (matches nothing). */
export function readLabelSelector(r: YamlReader, labels: Interner): LabelSelector {
  if (!r.present) return NOTHING;
  r.object(["matchLabels", "matchExpressions"]);
  const reqs: Requirement[] = [];
  for (const [k, v] of r.get("matchLabels").entries())
    reqs.push({ key: labels.intern(k), op: Op.In, values: Int32Array.of(labels.intern(scalarString(v))), num: 0 });
  for (const e of r.get("matchExpressions").list("a list of label selector requirements")) {
    e.object(["key", "operator", "values"]);
    const key = labels.intern(e.get("key").str());
    const op = Op[e.get("operator").oneOf(["In", "NotIn", "Exists", "DoesNotExist"] as const)];
    const values = e
      .get("values")
      .list("a list of values")
      .map((v) => scalarString(v));
    if ((op === Op.In || op === Op.NotIn) && values.length === 0)
      e.get("values").fail("at least one value for In / NotIn");
    reqs.push({ key, op, values: Int32Array.from(values, (v) => labels.intern(v)), num: 0 });
  }
  return { nothing: false, reqs };
}

function labelKeysRequirements(
  r: YamlReader,
  podLabels: ReadonlyMap<number, number>,
  labels: Interner,
  op: Op,
): Requirement[] {
  const out: Requirement[] = [];
  for (const k of r.list("a list of label keys")) {
    const key = labels.intern(k.str());
    const v = podLabels.get(key);
    // model: matchLabelKeys / mismatchLabelKeys merge `key in (value)` / `key notin (value)` for
    // keys the pod carries (kube-apiserver since v1.33, scheduler before).
    if (v !== undefined) out.push({ key, op, values: Int32Array.of(v), num: 0 });
  }
  return out;
}

function readAffinityTerm(
  t: YamlReader,
  weight: number,
  ns: string,
  podLabels: ReadonlyMap<number, number>,
  labels: Interner,
): AffinityTerm {
  t.object(TERM_KEYS);
  let selector = readLabelSelector(t.get("labelSelector"), labels);
  const extra = [
    ...labelKeysRequirements(t.get("matchLabelKeys"), podLabels, labels, Op.In),
    ...labelKeysRequirements(t.get("mismatchLabelKeys"), podLabels, labels, Op.NotIn),
  ];
  if (extra.length > 0 && !selector.nothing) selector = { nothing: false, reqs: [...selector.reqs, ...extra] };
  const names = t
    .get("namespaces")
    .list("a list of namespaces")
    .map((n) => n.str());
  const nsSelR = t.get("namespaceSelector");
  const nsSelector = readLabelSelector(nsSelR, labels);
  // model: util.GetNamespacesFromPodAffinityTerm: no namespaces and a nil namespaceSelector mean
  // the pod's own namespace.
  const namespaces = names.length === 0 && !nsSelR.present ? new Set([ns]) : new Set(names);
  const tk = t.get("topologyKey").str({ expected: "a topology key such as kubernetes.io/hostname" });
  return { selector, namespaces, nsSelector, topologyKey: labels.intern(tk), weight };
}

function readSpread(c: YamlReader, podLabels: ReadonlyMap<number, number>, labels: Interner): SpreadConstraint {
  c.object(SPREAD_KEYS);
  let selector = readLabelSelector(c.get("labelSelector"), labels);
  const extra = labelKeysRequirements(c.get("matchLabelKeys"), podLabels, labels, Op.In);
  if (extra.length > 0 && !selector.nothing) selector = { nothing: false, reqs: [...extra, ...selector.reqs] };
  return {
    maxSkew: c.get("maxSkew").int({ min: 1 }),
    topologyKey: labels.intern(c.get("topologyKey").str()),
    hard: c.get("whenUnsatisfiable").oneOf(["DoNotSchedule", "ScheduleAnyway"] as const) === "DoNotSchedule",
    selector,
    // model: filterTopologySpreadConstraints: nil minDomains is 1, nodeAffinityPolicy Honor,
    // nodeTaintsPolicy Ignore.
    minDomains: c.get("minDomains").int({ min: 1, default: 1 }),
    honorNodeAffinity:
      c.get("nodeAffinityPolicy").oneOf(["Honor", "Ignore"] as const, { default: "Honor" }) === "Honor",
    honorTaints: c.get("nodeTaintsPolicy").oneOf(["Honor", "Ignore"] as const, { default: "Ignore" }) === "Honor",
  };
}
