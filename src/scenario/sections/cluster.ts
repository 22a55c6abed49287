import type { YamlReader } from "../yaml-reader.js";

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
}

/** An image a container may use (`images[]`). */
export interface ImageSpec {
  name: string;
  sizeBytes: number;
}

/** model: kubelet maxPods default 110 (pkg/kubelet/apis/config/v1beta1/defaults.go). */
export const DEFAULT_MAX_PODS = 110;
/** model: kube-controller-manager --node-cidr-mask-size default 24 for IPv4. */
export const DEFAULT_POD_CIDR_PREFIX = 24;

const RESOURCE_NAME = /^(cpu|memory|pods|ephemeral-storage|hugepages-[0-9]+[KMG]i|[a-z0-9.-]+\/[A-Za-z0-9._-]+)$/;

export function readImages(r: YamlReader): ImageSpec[] {
  const seen = new Set<string>();
  return r.list("a list of images, each { name, size }").map((item) => {
    item.object(["name", "size"]);
    const name = item.get("name").str({ expected: "an image reference such as registry.k8s.io/pause:3.9" });
    if (seen.has(name)) item.get("name").fail("an image not listed before");
    seen.add(name);
    return { name, sizeBytes: item.get("size").quantity({ min: 1, expected: "an image size such as 45Mi or 1.2Gi" }) };
  });
}

export function readNodePools(cluster: YamlReader, images: ReadonlySet<string>): NodePoolSpec[] {
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
    if (!allocatable.has("pods")) allocatable.set("pods", DEFAULT_MAX_PODS);
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
      podCIDRPrefix: p.get("podCIDRPrefix").int({ min: 8, max: 30, default: DEFAULT_POD_CIDR_PREFIX }),
      unschedulable: p.get("unschedulable").bool({ default: false }),
    };
  });
}
