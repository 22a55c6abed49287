import { parseQuantity } from "../../cluster/resources.js";
import { readNodeObject } from "../../scheduler/k8s-objects.js";
import { NODE_FIELDS, reportUnmodelled } from "../inputs/modelled-fields.js";
import { readObjects } from "../inputs/read-objects.js";
import { checkLabel } from "../manifests.js";
import type { YamlReader } from "../yaml-reader.js";
import { readNodeGroupAutoscaling, type NodeGroupAutoscaling } from "./cluster-autoscaler.js";

/** A pool of identical nodes (`cluster.nodePools[]`). */
export interface NodePoolSpec {
  name: string;
  count: number;
  /** Allocatable by resource name, in base units (cpu in cores, memory in bytes). */
  allocatable: ReadonlyMap<string, number>;
  /** Each label's values; nodes take them round-robin (node i gets values[i % n]). */
  labels: ReadonlyMap<string, readonly string[]>;
  taints: readonly { key: string; value: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  /** Images present on every node of the pool at start. */
  images: readonly string[];
  /** Prefix length of each node's pod CIDR (24 gives a /24). */
  podCIDRPrefix: number;
  unschedulable: boolean;
  /**
   * Set for a node read from `cluster.nodes` (a real Node object): the pool is that one node,
   * named exactly so (count 1, no -N suffix, no addNodes).
   */
  nodeName?: string;
  /** A node of `cluster.nodes` whose Ready condition was not True: NotReady at t = 0. */
  notReady?: boolean;
  /** The pool is a Cluster Autoscaler node group (`autoscaling:`); its rows go up to maxNodes. */
  autoscaling?: NodeGroupAutoscaling;
  /** USD per node-hour (`costPerHour:`), for node-hour cost, the price expander and `simctl capacity --cost`. */
  costPerHour?: number;
  /** Set for the pool of one instance type of a Karpenter NodePool (`karpenter.nodePools[]`, sections/karpenter.ts). */
  karpenter?: { nodePool: string; instanceType: string };
}

/** A layer of an image: its content digest and its compressed (transfer) size in bytes. */
export interface ImageLayerSpec {
  digest: string;
  sizeBytes: number;
}

/** An image a container may use (`images[]`). */
export interface ImageSpec {
  name: string;
  /** Bytes a pull on an empty node transfers: the sum of the layers when they are given. */
  sizeBytes: number;
  /**
   * The image's layers, base first (`layers: [{ digest, size }]`). Layers with equal digests are
   * one blob: a node that holds it (from another image) does not fetch it again. Empty when the
   * scenario gives only a size: the image is then one layer of its own.
   */
  layers: readonly ImageLayerSpec[];
}

/** model: kubelet maxPods default 110 (pkg/kubelet/apis/config/v1beta1/defaults.go). */
export const DEFAULT_MAX_PODS = 110;
/** model: kube-controller-manager --node-cidr-mask-size default 24 for IPv4. */
export const DEFAULT_POD_CIDR_PREFIX = 24;
/**
 * The sandbox (pause) image containerd runs for every pod.
 * model: kubelet v1.30 --pod-infra-container-image default registry.k8s.io/pause:3.9
 * (cmd/kubelet/app/options/container_runtime.go); containerd's CRI `sandbox_image` is set to it
 * on kubeadm clusters.
 */
export const DEFAULT_SANDBOX_IMAGE = "registry.k8s.io/pause:3.9";
/**
 * model: (assumed) compressed size of pause:3.9 (linux/amd64), the 268 KiB scenarios/10k-pods.yaml
 * declares; crictl reports ~320 kB with manifest and config. It matters only when the image is
 * not pre-pulled and the registry is congested.
 */
export const DEFAULT_SANDBOX_IMAGE_BYTES = 268 * 1024;

const RESOURCE_NAME = /^(cpu|memory|pods|ephemeral-storage|hugepages-[0-9]+[KMG]i|[a-z0-9.-]+\/[A-Za-z0-9._-]+)$/;

/**
 * Reads `images:`: each `{ name, size }` or `{ name, layers: [{ digest, size }] }` (then `size`,
 * if also given, must equal the layers' sum). The default sandbox image is added when the
 * scenario does not declare it, so that every run can model RunPodSandbox's image check.
 */
export function readImages(r: YamlReader): ImageSpec[] {
  const seen = new Set<string>();
  const digests = new Map<string, number>();
  const out = r.list("a list of images, each { name, size } or { name, layers }").map((item) => {
    item.object(["name", "size", "layers"]);
    const name = item.get("name").str({ expected: "an image reference such as registry.k8s.io/pause:3.9" });
    if (seen.has(name)) item.get("name").fail("an image not listed before");
    seen.add(name);
    const layers: ImageLayerSpec[] = item
      .get("layers")
      .list("a list of layers, each { digest, size }")
      .map((l) => {
        l.object(["digest", "size"]);
        const digest = l
          .get("digest")
          .str({ pattern: /^[a-z0-9]+:[A-Za-z0-9=_-]+$/, expected: "a content digest such as sha256:4f4f..." });
        const sizeBytes = Math.ceil(l.get("size").quantity({ min: 0, expected: "a layer size such as 30Mi" }));
        const known = digests.get(digest);
        if (known !== undefined && known !== sizeBytes)
          l.get("size").fail(`the size this digest has elsewhere (${known} bytes)`);
        digests.set(digest, sizeBytes);
        return { digest, sizeBytes };
      });
    if (item.has("layers") && layers.length === 0) item.get("layers").fail("at least one layer");
    let sizeBytes = 0;
    for (const l of layers) sizeBytes += l.sizeBytes;
    if (layers.length === 0) {
      sizeBytes = Math.ceil(item.get("size").quantity({ min: 1, expected: "an image size such as 45Mi or 1.2Gi" }));
    } else if (item.has("size") && Math.ceil(item.get("size").quantity({ min: 1 })) !== sizeBytes) {
      item.get("size").fail(`the sum of the layers' sizes (${sizeBytes} bytes), or no size`);
    }
    return { name, sizeBytes, layers };
  });
  if (!seen.has(DEFAULT_SANDBOX_IMAGE))
    out.push({ name: DEFAULT_SANDBOX_IMAGE, sizeBytes: DEFAULT_SANDBOX_IMAGE_BYTES, layers: [] });
  return out;
}

/** What `cluster:` gives: the synthetic pools, then the nodes of `cluster.nodes`, and the images those nodes report. */
export interface ClusterSection {
  pools: NodePoolSpec[];
  /** Images of the nodes' status.images not declared under images:, with the size a node reports. */
  nodeImages: ImageSpec[];
}

/**
 * Reads `cluster:`: `nodePools` (synthetic pools), `nodes` (a file or directory of real Node
 * objects, see readObjects), or both. Objects of other kinds in `nodes` are reported as not
 * modelled. `cluster.pods` is read once the workload is known (cluster-pods.ts).
 */
export function readCluster(cluster: YamlReader, images: ReadonlySet<string>): ClusterSection {
  if (!cluster.present) cluster.fail("a cluster with nodePools and/or nodes");
  cluster.object(["nodePools", "nodes", "pods"]);
  const nodeImages: ImageSpec[] = [];
  const pools = cluster.has("nodePools") || !cluster.has("nodes") ? readNodePools(cluster, images) : [];
  if (cluster.has("nodes")) pools.push(...readClusterNodes(cluster.get("nodes"), images, nodeImages, pools));
  return { pools, nodeImages };
}

/**
 * The nodes of `cluster.nodes`, each a pool of one. model: the pod CIDR prefix is spec.podCIDR's
 * (the first of spec.podCIDRs); a node without one gets the default /24 of
 * --node-cidr-mask-size. Images of status.images become the node's image cache; an image no
 * `images:` entry declares takes the size the node reports, and its short Docker Hub name
 * (docker.io/library/nginx:1.25 is also nginx:1.25) is known as well, as containerd resolves it.
 */
function readClusterNodes(
  r: YamlReader,
  images: ReadonlySet<string>,
  nodeImages: ImageSpec[],
  pools: readonly NodePoolSpec[],
): NodePoolSpec[] {
  const report = r.ctx.inputs;
  const out: NodePoolSpec[] = [];
  const names = new Set(pools.map((p) => p.name));
  const sized = new Set<string>();
  readObjects(r, "a dump of Node objects (kubectl get nodes -o yaml)", (o) => {
    if (o.kind !== "Node") {
      report.kindNotModelled(o.kind, o.site);
      return;
    }
    const n = readNodeObject(o.r);
    reportUnmodelled(o.r.node, "Node", NODE_FIELDS, report, (x) => o.r.ctx.site(x));
    if (names.has(n.name))
      o.r.get("metadata").get("name").fail("a node name not used before (in this input or a pool)");
    names.add(n.name);
    const allocatable = new Map<string, number>();
    for (const [k, q] of Object.entries(n.allocatable)) allocatable.set(k, parseQuantity(q) ?? 0);
    if (!allocatable.has("pods")) allocatable.set("pods", DEFAULT_MAX_PODS);
    const nodeImagesHere: string[] = [];
    for (const img of n.images ?? []) {
      for (const full of img.names) {
        for (const name of full.includes("@") ? [full] : [full, familiarName(full)]) {
          if (nodeImagesHere.includes(name)) continue;
          nodeImagesHere.push(name);
          if (!images.has(name) && !sized.has(name) && img.sizeBytes > 0) {
            sized.add(name);
            nodeImages.push({ name, sizeBytes: Math.ceil(img.sizeBytes), layers: [] });
          }
        }
      }
    }
    const cidr = o.r.get("spec").get("podCIDR");
    const cidrs = o.r.get("spec").get("podCIDRs").list();
    const first = cidr.present ? cidr : cidrs[0];
    let prefix = DEFAULT_POD_CIDR_PREFIX;
    if (first?.present) {
      const m = /^[0-9.]+\/([0-9]+)$|^[0-9a-fA-F:]+\/([0-9]+)$/.exec(first.str());
      if (m === null) first.fail("a CIDR such as 10.244.1.0/24");
      else if (m[1] !== undefined) prefix = Number(m[1]);
      else first.fail("an IPv4 pod CIDR (IPv6-only nodes are not modelled)");
      if (prefix < 8 || prefix > 30) first.fail("an IPv4 pod CIDR with a prefix from /8 to /30");
    }
    const labels = new Map<string, string[]>();
    for (const [k, v] of Object.entries(n.labels ?? {})) labels.set(k, [v]);
    out.push({
      name: n.name,
      count: 1,
      allocatable,
      labels,
      taints: (n.taints ?? []).map((t) => ({ key: t.key, value: t.value ?? "", effect: t.effect })),
      images: nodeImagesHere,
      podCIDRPrefix: prefix,
      unschedulable: n.unschedulable ?? false,
      nodeName: n.name,
      ...(n.ready === false ? { notReady: true } : {}),
    });
  });
  if (out.length === 0 && r.present) r.fail("a file or directory with at least one Node object");
  return out;
}

/**
 * The short name of a Docker Hub reference, as a pod spec usually writes it:
 * docker.io/library/nginx:1.25 is nginx:1.25, docker.io/grafana/loki:2 is grafana/loki:2.
 */
export function familiarName(ref: string): string {
  if (ref.startsWith("docker.io/library/")) return ref.slice("docker.io/library/".length);
  if (ref.startsWith("docker.io/")) return ref.slice("docker.io/".length);
  return ref;
}

/** A node's `allocatable:` (cpu and memory required; pods defaults to 110). */
export function readAllocatable(alloc: YamlReader): Map<string, number> {
  if (!alloc.present) alloc.fail("allocatable resources such as { cpu: 8, memory: 32Gi }");
  const allocatable = new Map<string, number>();
  for (const [res, v] of alloc.entries("a mapping of resource name to quantity")) {
    if (!RESOURCE_NAME.test(res))
      v.fail(
        `a resource name (cpu, memory, pods, ephemeral-storage or a domain-qualified name such as nvidia.com/gpu)`,
      );
    allocatable.set(res, v.quantity({ min: 0 }));
  }
  if (alloc.present && !allocatable.has("cpu")) alloc.get("cpu").fail("the node's allocatable cpu");
  if (alloc.present && !allocatable.has("memory")) alloc.get("memory").fail("the node's allocatable memory");
  if (!allocatable.has("pods")) allocatable.set("pods", DEFAULT_MAX_PODS);
  return allocatable;
}

/** Node `labels:`: each a value or a list of values (spread round-robin over the nodes). */
export function readLabels(r: YamlReader): Map<string, string[]> {
  const labels = new Map<string, string[]>();
  for (const [key, v] of r.entries()) {
    const items = v.isList() ? v.list() : [v];
    const vals = items.map((x) => x.str());
    if (vals.length === 0) v.fail("a label value or a non-empty list of values");
    for (let i = 0; i < vals.length; i++) checkLabel(key, vals[i]!, items[i]!);
    labels.set(key, vals);
  }
  return labels;
}

/** Node `taints:`. */
export function readTaints(r: YamlReader): NodePoolSpec["taints"] {
  return r.list().map((t) => {
    t.object(["key", "value", "effect"]);
    return {
      key: t.get("key").str(),
      value: t.get("value").str({ default: "" }),
      effect: t.get("effect").oneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"] as const),
    };
  });
}

export function readNodePools(cluster: YamlReader, images: ReadonlySet<string>): NodePoolSpec[] {
  const pools = cluster.get("nodePools").list("a list of node pools");
  if (cluster.present && pools.length === 0) cluster.get("nodePools").fail("at least one node pool");
  const names = new Set<string>();
  return pools.map((p) => {
    p.object([
      "name",
      "count",
      "allocatable",
      "labels",
      "taints",
      "images",
      "podCIDRPrefix",
      "unschedulable",
      "autoscaling",
      "costPerHour",
    ]);
    const name = p.get("name").str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, expected: "a DNS-1123 label" });
    if (names.has(name)) p.get("name").fail("a pool name not used before");
    names.add(name);
    const allocatable = readAllocatable(p.get("allocatable"));
    const labels = readLabels(p.get("labels"));
    const taints = readTaints(p.get("taints"));
    const imgs = p
      .get("images")
      .list()
      .map((i) => {
        const n = i.str();
        if (n !== "" && !images.has(n))
          i.fail(`an image declared under images: (${[...images].join(", ") || "none declared"})`);
        return n;
      });
    // An autoscaled pool may start empty (scale from zero).
    const count = p.get("count").int({ min: p.has("autoscaling") ? 0 : 1, max: 1_000_000 });
    return {
      name,
      count,
      allocatable,
      labels,
      taints,
      images: imgs,
      podCIDRPrefix: p.get("podCIDRPrefix").int({ min: 8, max: 30, default: DEFAULT_POD_CIDR_PREFIX }),
      unschedulable: p.get("unschedulable").bool({ default: false }),
      ...(p.has("autoscaling")
        ? { autoscaling: readNodeGroupAutoscaling(p.get("autoscaling"), count, p.get("count")) }
        : {}),
      ...(p.has("costPerHour") ? { costPerHour: p.get("costPerHour").num({ min: 0 }) } : {}),
    };
  });
}

/** The names of every node the pools give at start (a pool's nodes are <pool>-0, <pool>-1, ...). */
export function startNodeNames(pools: readonly NodePoolSpec[]): Set<string> {
  const out = new Set<string>();
  for (const p of pools) {
    if (p.nodeName !== undefined) out.add(p.nodeName);
    else for (let i = 0; i < p.count; i++) out.add(`${p.name}-${i}`);
  }
  return out;
}
