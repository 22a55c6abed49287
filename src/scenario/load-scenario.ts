import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DEFAULTS } from "./defaults.js";
import { readDeployment, type DeploymentSpec } from "./manifests.js";
import { ScenarioError } from "./scenario-error.js";
import type { ImageSpec, NodePoolSpec, OutputTable, Scenario, WorkloadStep } from "./types.js";
import { readYamlDocuments, type YamlReader } from "./yaml-reader.js";

const TOP_KEYS = ["name", "seed", "cluster", "images", "controlPlane", "kubelet", "registry", "workload", "stop", "outputs"] as const;
const OUTPUTS: readonly OutputTable[] = ["pods"];

/**
 * Reads, validates and resolves a scenario file. Every problem is collected and thrown together
 * as a {@link ScenarioError} (file, YAML path, line:column, expected, found) before anything
 * runs. `overrides` lets a caller change the seed without editing the file.
 */
export function loadScenario(file: string, overrides: { seed?: number } = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError([{ file, path: "", line: 0, column: 0, expected: "a readable scenario file", found: (e as Error).message }]);
  }
  return parseScenario(file, text, overrides);
}

/** As {@link loadScenario}, from text already in memory (`file` names it in errors and anchors relative paths). */
export function parseScenario(file: string, text: string, overrides: { seed?: number } = {}): Scenario {
  const { ctx, docs } = readYamlDocuments(file, text);
  const r = docs[0];
  if (r === undefined || docs.length !== 1) {
    ctx.report("", 0, "exactly one YAML document", `${docs.length} documents`);
    ctx.throwIfIssues();
  }
  const root = r!;
  if (!root.object(TOP_KEYS)) root.fail(`a mapping with keys ${TOP_KEYS.join(", ")}`);
  const name = root.get("name").str({ pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, expected: "a name of letters, digits, '.', '_' and '-'" });
  const seed = overrides.seed ?? root.get("seed").int({ min: 0, max: 2 ** 53 - 1, default: 1 });

  const images = readImages(root.get("images"));
  const known = new Set(images.map((i) => i.name));
  const nodePools = readNodePools(root.get("cluster"), known);

  const cp = root.get("controlPlane");
  cp.object(["apiserver", "etcd", "watch", "controllerManager", "scheduler"]);
  const a = cp.get("apiserver");
  a.object(["replicas", "maxRequestsInflight", "maxMutatingRequestsInflight", "handler", "network"]);
  const D = DEFAULTS;
  const apiserver = {
    replicas: a.get("replicas").int({ min: 1, max: 64, default: D.apiserver.replicas }),
    maxRequestsInflight: a.get("maxRequestsInflight").int({ min: 1, default: D.apiserver.maxRequestsInflight }),
    maxMutatingRequestsInflight: a.get("maxMutatingRequestsInflight").int({ min: 1, default: D.apiserver.maxMutatingRequestsInflight }),
    handler: a.get("handler").dist({ default: D.apiserver.handler }),
    network: a.get("network").dist({ default: D.apiserver.network }),
  };
  const e = cp.get("etcd");
  e.object(["members", "peerRtt", "walFsync", "applyCost", "backendCommit", "backendBatchInterval", "backendBatchLimit"]);
  const members = e.get("members").int({ min: 1, max: 7, default: D.etcd.members });
  if (members % 2 === 0) e.get("members").fail("an odd number of members (1, 3, 5 or 7)");
  const etcd = {
    members,
    peerRtt: e.get("peerRtt").dist({ default: D.etcd.peerRtt }),
    walFsync: e.get("walFsync").dist({ default: D.etcd.walFsync }),
    applyNs: e.get("applyCost").duration({ min: 0, default: D.etcd.applyNs }),
    backendCommit: e.get("backendCommit").dist({ default: D.etcd.backendCommit }),
    backendBatchIntervalNs: e.get("backendBatchInterval").duration({ min: 1, default: D.etcd.backendBatchIntervalNs }),
    backendBatchLimit: e.get("backendBatchLimit").int({ min: 1, default: D.etcd.backendBatchLimit }),
  };
  const w = cp.get("watch");
  w.object(["cacheLag", "delivery"]);
  const watch = { cacheLag: w.get("cacheLag").dist({ default: D.watch.cacheLag }), delivery: w.get("delivery").dist({ default: D.watch.delivery }) };
  const cm = cp.get("controllerManager");
  cm.object(["qps", "burst", "concurrentDeploymentSyncs", "concurrentReplicaSetSyncs", "burstReplicas", "syncCost"]);
  const controllerManager = {
    qps: cm.get("qps").num({ min: 0.001, default: D.controllerManager.qps }),
    burst: cm.get("burst").int({ min: 1, default: D.controllerManager.burst }),
    concurrentDeploymentSyncs: cm.get("concurrentDeploymentSyncs").int({ min: 1, default: D.controllerManager.concurrentDeploymentSyncs }),
    concurrentReplicaSetSyncs: cm.get("concurrentReplicaSetSyncs").int({ min: 1, default: D.controllerManager.concurrentReplicaSetSyncs }),
    burstReplicas: cm.get("burstReplicas").int({ min: 1, default: D.controllerManager.burstReplicas }),
    syncCost: cm.get("syncCost").dist({ default: D.controllerManager.syncCost }),
  };
  const s = cp.get("scheduler");
  s.object(["qps", "burst", "cycleCost", "perNodeCost", "parallelism", "percentageOfNodesToScore"]);
  const scheduler = {
    qps: s.get("qps").num({ min: 0.001, default: D.scheduler.qps }),
    burst: s.get("burst").int({ min: 1, default: D.scheduler.burst }),
    cycleCost: s.get("cycleCost").dist({ default: D.scheduler.cycleCost }),
    perNodeCost: s.get("perNodeCost").dist({ default: D.scheduler.perNodeCost }),
    parallelism: s.get("parallelism").int({ min: 1, default: D.scheduler.parallelism }),
    percentageOfNodesToScore: s.get("percentageOfNodesToScore").int({ min: 0, max: 100, default: D.scheduler.percentageOfNodesToScore }),
  };
  const k = root.get("kubelet");
  k.object(["qps", "burst", "sandbox", "cni", "containerStart", "plegRelistPeriod", "serializeImagePulls"]);
  const kubelet = {
    qps: k.get("qps").num({ min: 0.001, default: D.kubelet.qps }),
    burst: k.get("burst").int({ min: 1, default: D.kubelet.burst }),
    sandbox: k.get("sandbox").dist({ default: D.kubelet.sandbox }),
    cni: k.get("cni").dist({ default: D.kubelet.cni }),
    containerStart: k.get("containerStart").dist({ default: D.kubelet.containerStart }),
    plegRelistPeriod: k.get("plegRelistPeriod").duration({ min: 1, default: D.kubelet.plegRelistPeriod }),
    serializeImagePulls: k.get("serializeImagePulls").bool({ default: D.kubelet.serializeImagePulls }),
  };
  const reg = root.get("registry");
  reg.object(["bandwidth", "perNodeBandwidth"]);
  const registry = {
    bandwidth: reg.get("bandwidth").bandwidth({ default: D.registry.bandwidth }),
    perNodeBandwidth: reg.get("perNodeBandwidth").bandwidth({ default: D.registry.perNodeBandwidth }),
  };

  const workload = readWorkload(root.get("workload"), file, known);
  const st = root.get("stop");
  st.object(["when", "timeLimit"]);
  const stop = {
    when: st.get("when").oneOf(["allRunning", "timeLimit"] as const, { default: "allRunning" }),
    timeLimitNs: st.get("timeLimit").duration({ min: 1, default: D.timeLimitNs }),
  };
  const outputs = root.has("outputs") ? root.get("outputs").list().map((o) => o.oneOf(OUTPUTS)) : [...OUTPUTS];
  ctx.throwIfIssues();
  return { file, name, seed, nodePools, images, apiserver, etcd, watch, controllerManager, scheduler, kubelet, registry, workload, stop, outputs };
}

function readImages(r: YamlReader): ImageSpec[] {
  const seen = new Set<string>();
  return r.list("a list of images, each { name, size }").map((item) => {
    item.object(["name", "size"]);
    const name = item.get("name").str({ expected: "an image reference such as registry.k8s.io/pause:3.9" });
    if (seen.has(name)) item.get("name").fail("an image not listed before");
    seen.add(name);
    return { name, sizeBytes: item.get("size").quantity({ min: 1, expected: "an image size such as 45Mi or 1.2Gi" }) };
  });
}

function readNodePools(cluster: YamlReader, images: ReadonlySet<string>): NodePoolSpec[] {
  if (!cluster.present) cluster.fail("a cluster with nodePools");
  cluster.object(["nodePools"]);
  const pools = cluster.get("nodePools").list("a list of node pools");
  if (cluster.present && pools.length === 0) cluster.get("nodePools").fail("at least one node pool");
  const names = new Set<string>();
  return pools.map((p) => {
    p.object(["name", "count", "allocatable", "labels", "taints", "images", "podCIDRPrefix", "unschedulable"]);
    const name = p.get("name").str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, expected: "a DNS-1123 label" });
    if (names.has(name)) p.get("name").fail("a pool name not used before");
    names.add(name);
    const alloc = p.get("allocatable");
    if (!alloc.present) alloc.fail("allocatable resources such as { cpu: 8, memory: 32Gi }");
    const allocatable = new Map<string, number>();
    for (const [res, v] of alloc.entries("a mapping of resource name to quantity")) {
      if (!RESOURCE_NAME.test(res)) v.fail(`a resource name (cpu, memory, pods, ephemeral-storage or a domain-qualified name such as nvidia.com/gpu)`);
      allocatable.set(res, v.quantity({ min: 0 }));
    }
    if (alloc.present && !allocatable.has("cpu")) alloc.get("cpu").fail("the node's allocatable cpu");
    if (alloc.present && !allocatable.has("memory")) alloc.get("memory").fail("the node's allocatable memory");
    if (!allocatable.has("pods")) allocatable.set("pods", DEFAULTS.maxPods);
    const labels = new Map<string, string[]>();
    for (const [key, v] of p.get("labels").entries()) {
      const vals = v.isList() ? v.list().map((x) => x.str()) : [v.str()];
      if (vals.length === 0) v.fail("a label value or a non-empty list of values");
      labels.set(key, vals);
    }
    const taints = p.get("taints").list().map((t) => {
      t.object(["key", "value", "effect"]);
      return {
        key: t.get("key").str(),
        value: t.get("value").str({ default: "" }),
        effect: t.get("effect").oneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"] as const),
      };
    });
    const imgs = p.get("images").list().map((i) => {
      const n = i.str();
      if (n !== "" && !images.has(n)) i.fail(`an image declared under images: (${[...images].join(", ") || "none declared"})`);
      return n;
    });
    return {
      name,
      count: p.get("count").int({ min: 1, max: 1_000_000 }),
      allocatable,
      labels,
      taints,
      images: imgs,
      podCIDRPrefix: p.get("podCIDRPrefix").int({ min: 8, max: 30, default: DEFAULTS.podCIDRPrefix }),
      unschedulable: p.get("unschedulable").bool({ default: false }),
    };
  });
}

function readWorkload(r: YamlReader, file: string, images: ReadonlySet<string>): WorkloadStep[] {
  if (!r.present) r.fail("a workload: a list of steps such as - { at: 0s, apply: manifests/web.yaml }");
  let last = 0;
  return r.list("a list of workload steps").map((step) => {
    step.object(["at", "apply", "deployments", "copies"]);
    const atR = step.get("at");
    const atNs = atR.duration({ min: 0 });
    if (atNs < last) atR.fail(`a time no earlier than the previous step (steps run in order)`);
    last = Math.max(last, atNs);
    const copies = step.get("copies").int({ min: 1, max: 100_000, default: 1 });
    const deployments: DeploymentSpec[] = [];
    const add = (d: DeploymentSpec | undefined, at: YamlReader) => {
      if (d === undefined) return;
      for (const c of [...d.pod.containers, ...d.pod.initContainers]) {
        if (!images.has(c.image)) at.fail(`containers whose images are declared under images: with a size (${c.image} is not)`);
      }
      deployments.push(d);
    };
    const stamp = (doc: YamlReader) => {
      for (let i = 0; i < copies; i++) add(readDeployment(doc, copies > 1 ? `-${i}` : ""), doc);
    };
    const apply = step.get("apply");
    const inline = step.get("deployments");
    if (apply.present === inline.present) step.fail("exactly one of apply (a manifest file) or deployments (inline manifests)");
    if (apply.present) {
      const rel = apply.str();
      const path = resolve(dirname(file), rel);
      let text: string | undefined;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        apply.fail(`a readable manifest file (resolved to ${path})`);
      }
      if (text !== undefined) {
        const { ctx, docs } = readYamlDocuments(path, text);
        for (const d of docs) if (d.present) stamp(d);
        // Issues found inside the manifest file carry that file's own name and lines.
        r.ctx.issues.push(...ctx.issues);
      }
    }
    for (const d of inline.list("a list of Deployment manifests")) stamp(d);
    return { atNs, deployments };
  });
}

const RESOURCE_NAME = /^(cpu|memory|pods|ephemeral-storage|hugepages-[0-9]+[KMG]i|[a-z0-9.-]+\/[A-Za-z0-9._-]+)$/;

export { ScenarioError };
