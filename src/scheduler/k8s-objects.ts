import { readFileSync } from "node:fs";
import { parseQuantity } from "../cluster/resources.js";
import { didYouMean, ScenarioError } from "../scenario/scenario-error.js";
import { CONTAINER_KEYS, METADATA_KEYS, OBJECT_KEYS, POD_SPEC_KEYS } from "../scenario/core-v1-fields.js";
import { readYamlDocuments, type YamlReader } from "../scenario/yaml-reader.js";
import { readPodDisruptionBudget, type PdbSpec } from "../scenario/inputs/pod-disruption-budgets.js";
import { readHostPort, stringMap as labelMap } from "../scenario/manifests.js";
import type { ContainerInput, NodeInput, PodInput } from "./standalone.js";

/** An existing pod with the node it runs on. */
export interface BoundPod {
  pod: PodInput;
  nodeName: string;
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

// Field names of core/v1 Node's spec, and Taint (k8s.io/api/core/v1/types.go): a typo is
// reported with a did-you-mean while fields the scheduler does not read are accepted as written.
const NODE_SPEC_KEYS = ["podCIDR", "podCIDRs", "providerID", "unschedulable", "taints", "configSource", "externalID"];
const TAINT_KEYS = ["key", "value", "effect", "timeAdded"];
const OWNER_KINDS = new Set(["ReplicaSet", "StatefulSet", "ReplicationController"]);

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError([{ file, path: "", line: 0, column: 0, expected: what, found: (e as Error).message }]);
  }
}

/** The objects of a YAML file: the items of a List (kind List / NodeList / PodList) or each document. */
function objects(file: string, text: string, kind: string): { items: YamlReader[]; ctx: YamlReader["ctx"] } {
  const { ctx, docs } = readYamlDocuments(file, text);
  const items: YamlReader[] = [];
  for (const d of docs) {
    if (!d.present) continue;
    const k = d.get("kind").str({ default: "" });
    if (k === "List" || k === `${kind}List`) items.push(...d.get("items").list(`a list of ${kind} objects`));
    else items.push(d);
  }
  for (const it of items) {
    it.object(OBJECT_KEYS);
    it.get("metadata").object(METADATA_KEYS);
    const k = it.get("kind");
    if (k.present && k.value() !== kind) k.fail(`a ${kind} object`);
  }
  return { items, ctx };
}

/** A label map (see manifests.ts stringMap, which checks keys and values) as a plain object. */
function stringMap(r: YamlReader): Record<string, string> {
  return Object.fromEntries(labelMap(r));
}

function quantities(r: YamlReader): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of r.entries("a mapping of resource name to quantity")) {
    const x = v.value();
    const q = typeof x === "string" || typeof x === "number" ? parseQuantity(x) : undefined;
    if (q !== undefined && q >= 0) out[k] = x as string | number;
    else v.fail("a non-negative Kubernetes quantity such as 500m, 4 or 16Gi");
  }
  return out;
}

/** Reads core/v1 Nodes (`kubectl get nodes -o yaml`, or `---` documents). */
export function readNodes(file: string, text = readText(file, "a readable Nodes YAML file")): NodeInput[] {
  const { items, ctx } = objects(file, text, "Node");
  const nodes = items.map(readNodeObject);
  if (nodes.length === 0) ctx.report("", 0, "at least one Node", "none");
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    if (seen.has(nodes[i]!.name)) items[i]!.get("metadata").get("name").fail("a node name not used before");
    seen.add(nodes[i]!.name);
  }
  ctx.throwIfIssues();
  return nodes;
}

/**
 * One core/v1 Node object: name, labels, taints, spec.unschedulable, status.allocatable (capacity
 * where allocatable is absent; neither is a located error), status.images and the Ready
 * condition. Shared by `simctl schedule --nodes` and a scenario's `cluster.nodes`.
 */
export function readNodeObject(n: YamlReader): NodeInput {
  n.object(OBJECT_KEYS);
  n.get("metadata").object(METADATA_KEYS);
  const meta = n.get("metadata");
  const spec = n.get("spec");
  const status = n.get("status");
  spec.object(NODE_SPEC_KEYS);
  // status is the kubelet's report: new fields appear with new versions, none is a typo to catch.
  if (status.present && !status.isMap()) status.fail("a Node status mapping");
  const alloc = status.get("allocatable").present ? status.get("allocatable") : status.get("capacity");
  if (!alloc.present)
    status.get("allocatable").fail("status.allocatable (or status.capacity) with the node's cpu and memory");
  const ready = status
    .get("conditions")
    .list()
    .find((c) => c.get("type").value() === "Ready");
  return {
    name: meta.get("name").str({ expected: "the node's name" }),
    allocatable: quantities(alloc),
    labels: stringMap(meta.get("labels")),
    taints: spec
      .get("taints")
      .list()
      .map((t) => {
        t.object(TAINT_KEYS);
        return {
          key: t.get("key").str(),
          value: t.get("value").str({ default: "" }),
          effect: t.get("effect").oneOf(TAINT_EFFECTS),
        };
      }),
    images: status
      .get("images")
      .list()
      .map((i) => {
        i.object(["names", "sizeBytes"]);
        return {
          names: i
            .get("names")
            .list()
            .map((x) => x.str()),
          sizeBytes: i.get("sizeBytes").num({ min: 0, default: 0 }),
        };
      }),
    unschedulable: spec.get("unschedulable").bool({ default: false }),
    ready: ready === undefined ? true : ready.get("status").value() === "True",
  };
}

function readContainer(c: YamlReader, hostNetwork: boolean): ContainerInput {
  c.object(CONTAINER_KEYS);
  const res = c.get("resources");
  res.object(["limits", "requests", "claims"]);
  const requests = quantities(res.get("requests"));
  // model: core/v1 defaulting: a limit without a request sets the request (SetDefaults_ResourceList).
  for (const [k, v] of Object.entries(quantities(res.get("limits")))) if (requests[k] === undefined) requests[k] = v;
  return {
    image: c.get("image").str({ default: "" }),
    requests,
    ports: c
      .get("ports")
      .list()
      .map((p) => {
        p.object(["name", "containerPort", "hostPort", "protocol", "hostIP"]);
        const containerPort = p.get("containerPort").int({ min: 0, max: 65535, default: 0 });
        return {
          containerPort,
          hostPort: readHostPort(p.get("hostPort"), containerPort, hostNetwork),
          protocol: p.get("protocol").oneOf(["TCP", "UDP", "SCTP"] as const, { default: "TCP" }),
          hostIP: p.get("hostIP").str({ default: "" }),
        };
      }),
    restartPolicy: c.get("restartPolicy").str({ default: "" }),
  };
}

/**
 * One Pod object as the scheduler sees it. Tolerations, affinity and spread constraints stay
 * YAML readers so that their problems are reported with file and line.
 */
export function readPodObject(p: YamlReader): { pod: PodInput; nodeName: string } {
  const meta = p.get("metadata");
  const spec = p.get("spec");
  spec.object(POD_SPEC_KEYS);
  const labels = stringMap(meta.get("labels"));
  const owned = meta
    .get("ownerReferences")
    .list()
    .some((o) => OWNER_KINDS.has(String(o.get("kind").value())));
  const hostNetwork = spec.get("hostNetwork").bool({ default: false });
  const containers = spec
    .get("containers")
    .list("a list of containers")
    .map((c) => readContainer(c, hostNetwork));
  if (containers.length === 0) spec.get("containers").fail("a list with at least one container");
  const nodeName = spec.get("nodeName").str({ default: "" });
  const pod: PodInput = {
    name: meta.get("name").str({ expected: "the pod's name" }),
    namespace: meta.get("namespace").str({ default: "default" }),
    labels,
    priority: spec.get("priority").int({ default: 0 }),
    preemptionPolicy: spec
      .get("preemptionPolicy")
      .oneOf(["PreemptLowerPriority", "Never"] as const, { default: "PreemptLowerPriority" }),
    schedulerName: spec.get("schedulerName").str({ default: "default-scheduler" }),
    nodeName,
    nodeSelector: stringMap(spec.get("nodeSelector")),
    containers,
    initContainers: spec
      .get("initContainers")
      .list()
      .map((c) => readContainer(c, hostNetwork)),
    overhead: quantities(spec.get("overhead")),
    tolerations: spec.get("tolerations"),
    affinity: spec.get("affinity"),
    topologySpreadConstraints: spec.get("topologySpreadConstraints"),
    // model: (approximation) a pod owned by a ReplicaSet, StatefulSet or ReplicationController is
    // selected by its owner; its labels stand for the owner's selector (helper.DefaultSelector).
    ownerSelector: owned ? labels : null,
    // model: a pod with metadata.deletionTimestamp is terminating: it holds its node until it is
    // gone, but PodTopologySpread does not count it.
    terminating: meta.get("deletionTimestamp").present,
    ...readPodStatus(p.get("status")),
  };
  return { pod, nodeName };
}

/**
 * What preemption reads of a Pod's status: startTime, the DisruptionTarget condition the
 * scheduler sets on its victims (reason PreemptionByScheduler), and nominatedNodeName.
 */
function readPodStatus(st: YamlReader): Pick<PodInput, "startTimeNs" | "preemptedByScheduler" | "nominatedNodeName"> {
  const out: Pick<PodInput, "startTimeNs" | "preemptedByScheduler" | "nominatedNodeName"> = {};
  const start = st.get("startTime");
  if (start.present) {
    const ms = Date.parse(start.str());
    if (Number.isNaN(ms)) start.fail('an RFC 3339 time such as "2024-05-01T10:00:00Z"');
    else out.startTimeNs = ms * 1e6;
  }
  for (const c of st.get("conditions").list("a list of pod conditions"))
    if (
      c.get("type").value() === "DisruptionTarget" &&
      c.get("status").value() === "True" &&
      c.get("reason").value() === "PreemptionByScheduler"
    )
      out.preemptedByScheduler = true;
  const nom = st.get("nominatedNodeName").str({ default: "" });
  if (nom !== "") out.nominatedNodeName = nom;
  return out;
}

/** A PodDisruptionBudget with the status preemption reads (disruptionsAllowed, disruptedPods). */
export interface PdbInput {
  spec: PdbSpec;
  disruptionsAllowed: number;
  /** Names of the pods in status.disruptedPods. */
  disruptedPods: readonly string[];
}

/** Reads PodDisruptionBudgets (a List or documents) with their status, for preemption. */
export function readPdbs(file: string, text = readText(file, "a readable PodDisruptionBudgets YAML file")): PdbInput[] {
  const { items, ctx } = objects(file, text, "PodDisruptionBudget");
  const out = items.map((it) => {
    const spec = readPodDisruptionBudget(it);
    const st = it.get("status");
    return {
      spec,
      disruptionsAllowed: st.get("disruptionsAllowed").int({ default: 0 }),
      disruptedPods: st
        .get("disruptedPods")
        .entries()
        .map(([name]) => name),
    };
  });
  ctx.throwIfIssues();
  return out;
}

/** Reads the pod to schedule (one Pod object). */
export function readPod(file: string, text = readText(file, "a readable Pod YAML file")): PodInput {
  const { items, ctx } = objects(file, text, "Pod");
  if (items.length !== 1) ctx.report("", 0, "exactly one Pod", `${items.length} objects`);
  ctx.throwIfIssues();
  const { pod } = readPodObject(items[0]!);
  ctx.throwIfIssues();
  return pod;
}

/**
 * Reads the pods already running: a List of Pods each bound with spec.nodeName. With `nodes`,
 * a pod bound to a node not among them is reported at its spec.nodeName.
 */
export function readBoundPods(
  file: string,
  text = readText(file, "a readable Pods YAML file"),
  nodes?: readonly NodeInput[],
): BoundPod[] {
  const { items, ctx } = objects(file, text, "Pod");
  const names = nodes === undefined ? undefined : nodes.map((n) => n.name);
  const known = names === undefined ? undefined : new Set(names);
  const out = items.map((it) => {
    const { pod, nodeName } = readPodObject(it);
    const at = it.get("spec").get("nodeName");
    if (nodeName === "") at.fail("spec.nodeName: an existing pod must be bound to a node");
    else if (known !== undefined && !known.has(nodeName)) {
      const guess = didYouMean(nodeName, names!);
      at.fail(
        `the name of one of the ${known.size} nodes given with --nodes`,
        guess === undefined ? undefined : `did you mean "${guess}"?`,
      );
    }
    return { pod, nodeName };
  });
  ctx.throwIfIssues();
  return out;
}
