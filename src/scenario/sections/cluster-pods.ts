import { POD_FIELDS, reportUnmodelled } from "../inputs/modelled-fields.js";
import { readObjects } from "../inputs/read-objects.js";
import { DNS_SUBDOMAIN, readPodSpec, stringMap, type PodManifest } from "../manifests.js";
import type { YamlReader } from "../yaml-reader.js";

/** A pod of `cluster.pods` (`kubectl get pods -A -o yaml`) that the run starts with. */
export interface ExistingPodSpec {
  name: string;
  namespace: string;
  /** spec.nodeName: the node it is bound to; "" for a Pending pod the scheduler must place. */
  nodeName: string;
  /** Kind and name of its controller (metadata.ownerReferences with controller: true); "Pod" and "" for none. */
  ownerKind: string;
  ownerName: string;
  pod: PodManifest;
  /**
   * The Deployment of the inputs that adopts it, when its owner is a ReplicaSet named
   * `<deployment>-<hash>` in the same namespace and the Deployment's selector matches its
   * labels: it counts as one of that Deployment's replicas (no duplicate is created). Or the
   * StatefulSet of the inputs that owns it (stateful-sets.ts adoptStatefulSetPod): it holds its
   * ordinal of that set.
   */
  adoptedBy?: string;
}

/** Pods whose phase says they no longer run: skipped, and reported. */
const TERMINAL = new Set(["Succeeded", "Failed"]);

/**
 * Reads `cluster.pods`: Pod objects (other kinds are reported as not modelled). A pod bound to
 * a node (spec.nodeName) is placed there at t = 0; a Pending unbound one enters the scheduling
 * queue at t = 0; Succeeded and Failed pods are skipped and reported. A pod bound to a node the
 * cluster does not have is a located error at its spec.nodeName.
 */
export function readClusterPods(
  r: YamlReader,
  nodeNames: ReadonlySet<string>,
  images: ReadonlySet<string>,
): ExistingPodSpec[] {
  const report = r.ctx.inputs;
  const out: ExistingPodSpec[] = [];
  const seen = new Set<string>();
  readObjects(r, "a dump of Pod objects (kubectl get pods -A -o yaml)", (o) => {
    if (o.kind !== "Pod") {
      report.kindNotModelled(o.kind, o.site);
      return;
    }
    const p = o.r;
    const phase = p.get("status").get("phase").str({ default: "Pending" });
    if (TERMINAL.has(phase)) {
      report.podSkipped(phase, o.site);
      return;
    }
    reportUnmodelled(p.node, "Pod", POD_FIELDS, report, (x) => p.ctx.site(x));
    p.get("apiVersion").str({ pattern: /^v1$/, expected: '"v1"' });
    const meta = p.get("metadata");
    const name = meta.get("name").str({ pattern: DNS_SUBDOMAIN, expected: "the pod's name" });
    const namespace = meta.get("namespace").str({ default: "default" });
    if (seen.has(`${namespace}/${name}`)) meta.get("name").fail("a pod name not used before in its namespace");
    seen.add(`${namespace}/${name}`);
    const owner = meta
      .get("ownerReferences")
      .list("a list of owner references")
      .find((x) => x.get("controller").value() === true);
    const spec = p.get("spec");
    const nodeName = spec.get("nodeName").str({ default: "" });
    if (nodeName !== "" && !nodeNames.has(nodeName))
      spec.get("nodeName").fail("the name of a node of the cluster (cluster.nodes or a pool's node)");
    const pod = readPodSpec(spec, stringMap(meta.get("labels")));
    for (const c of [...pod.containers, ...pod.initContainers])
      if (!images.has(c.image)) report.imageDefaultSize(c.image, o.site);
    out.push({
      name,
      namespace,
      nodeName,
      ownerKind: owner === undefined ? "Pod" : owner.get("kind").str(),
      ownerName: owner === undefined ? "" : owner.get("name").str(),
      pod,
    });
  });
  return out;
}
