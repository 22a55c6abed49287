import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import { RESOURCE_NAMES } from "../../apiserver/request-table.js";
import type { YamlReader } from "../yaml-reader.js";

/** An admission webhook the API server calls for writes. */
export interface WebhookSpec {
  name: string;
  type: "mutating" | "validating";
  latency: DistSpec;
  /** What a failed or timed-out call does: reject the request (Fail) or skip the webhook (Ignore). */
  failurePolicy: "Fail" | "Ignore";
  /** Calls slower than this fail. */
  timeoutNs: number;
  /** Probability that a call fails outright. */
  failureRate: number;
  /** The webhook's rules: which resources (`pods`, `pods/binding`, ...) and operations it intercepts. */
  resources: readonly string[];
  operations: readonly ("CREATE" | "UPDATE" | "DELETE")[];
}

/** kube-apiserver settings of a scenario (`controlPlane.apiserver`). */
export interface ApiServerSpec {
  /** API server replicas behind a load balancer; each client's connection stays on one. */
  replicas: number;
  /** Cores of each replica: its handlers and watch fan-out queue for them. */
  cpus: number;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  authentication: DistSpec;
  authorization: DistSpec;
  /** Built-in admission plugins and object validation. */
  validation: DistSpec;
  webhooks: readonly WebhookSpec[];
  /** CPU per KiB of object for a request's decode and response encode together; one pass is half. */
  serializationPerKiBNs: number;
  /** CPU per watcher per watch event: framing the encoded event and writing it to the watcher's stream. */
  watchSendCostNs: number;
  /** Network latency between a client and the API server, each way. */
  network: DistSpec;
}

const { us, ms, s } = NS_PER;

/**
 * model: cluster/gce/config-common.sh get-master-size: upstream sizes the GCE control-plane VM
 * by node count: 1 core up to 5 nodes, 2 above 5, 4 above 10, 8 above 100, 16 above 250, 32
 * above 500, 64 above 3000. Every replica gets that many cores (each runs on its own VM).
 */
export function masterCpus(nodes: number): number {
  if (nodes > 3000) return 64;
  if (nodes > 500) return 32;
  if (nodes > 250) return 16;
  if (nodes > 100) return 8;
  if (nodes > 10) return 4;
  if (nodes > 5) return 2;
  return 1;
}

/** perf: HostCpu.run scans a replica's cores per burst, so cores stay within a large machine's. */
const MAX_CPUS = 256;

/** Defaults; `cpus` here is for a cluster of up to 5 nodes (see {@link masterCpus}). */
export const API_SERVER_DEFAULTS: ApiServerSpec = {
  replicas: 1,
  cpus: masterCpus(0),
  // model: kube-apiserver flags --max-requests-inflight=400, --max-mutating-requests-inflight=200.
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  // model: (assumed) token authentication answered from the authenticator's cache.
  authentication: lognormal(30 * us, 300 * us),
  // model: (assumed) RBAC decisions from the in-memory rule cache.
  authorization: lognormal(20 * us, 200 * us),
  // model: (assumed) built-in admission and validation of one object; together with the stages
  // above a single-object write spends ~1 ms in the server, far inside the 1 s p99 SLO, as
  // 5,000-node clusters show (k8s 1.6 blog: API percentiles < 500 ms, p90 < ~100 ms).
  validation: lognormal(300 * us, 3 * ms),
  webhooks: [],
  // model: (assumed) JSON/protobuf codec cost, ~20 us per KiB for a request's decode and its
  // response's encode (a 5 kB pod: ~100 us), so ~10 us per KiB for one pass (a watch event's encode).
  serializationPerKiBNs: 20 * us,
  // model: (assumed) per watcher, the cached encoding is framed (handlers/watch.go serveWatch:
  // a watch event wrapper around the cachingObject's bytes) and written to the watcher's HTTP/2
  // stream: a small frame through Go's http2 framer and a buffered write, a few microseconds.
  watchSendCostNs: 5 * us,
  // model: in-datacenter one-way latency, half of a few-hundred-microsecond RTT (etcd performance.md).
  network: lognormal(150 * us, 600 * us),
};

/** model: admissionregistration/v1 defaults: timeoutSeconds 10, failurePolicy Fail. */
const WEBHOOK_DEFAULT_TIMEOUT_NS = 10 * s;

/**
 * Reads `controlPlane.apiserver`. `nodes` is the cluster's initial node count, which sizes the
 * default `cpus` as upstream sizes the control-plane VM ({@link masterCpus}); `cpus` in the
 * scenario wins.
 */
export function readApiServer(a: YamlReader, nodes: number): ApiServerSpec {
  const D = API_SERVER_DEFAULTS;
  a.object([
    "replicas",
    "cpus",
    "maxRequestsInflight",
    "maxMutatingRequestsInflight",
    "authentication",
    "authorization",
    "validation",
    "webhooks",
    "serializationPerKiB",
    "watchSendCost",
    "network",
  ]);
  const names = new Set<string>();
  const webhooks = a
    .get("webhooks")
    .list("a list of admission webhooks")
    .map((w): WebhookSpec => {
      w.object(["name", "type", "latency", "failurePolicy", "timeout", "failureRate", "resources", "operations"]);
      const name = w.get("name").str();
      if (names.has(name)) w.get("name").fail("a webhook name not used before");
      names.add(name);
      return {
        name,
        type: w.get("type").oneOf(["mutating", "validating"] as const),
        latency: w.get("latency").dist(),
        failurePolicy: w.get("failurePolicy").oneOf(["Fail", "Ignore"] as const, { default: "Fail" }),
        timeoutNs: w.get("timeout").duration({ min: 1 * s, max: 30 * s, default: WEBHOOK_DEFAULT_TIMEOUT_NS }),
        failureRate: w.get("failureRate").num({ min: 0, max: 1, default: 0 }),
        resources: w.get("resources").subsetOf(RESOURCE_NAMES),
        operations: w.get("operations").subsetOf(["CREATE", "UPDATE", "DELETE"] as const),
      };
    });
  return {
    replicas: a.get("replicas").int({ min: 1, max: 64, default: D.replicas }),
    cpus: a.get("cpus").int({ min: 1, max: MAX_CPUS, default: masterCpus(nodes) }),
    maxRequestsInflight: a.get("maxRequestsInflight").int({ min: 1, default: D.maxRequestsInflight }),
    maxMutatingRequestsInflight: a
      .get("maxMutatingRequestsInflight")
      .int({ min: 1, default: D.maxMutatingRequestsInflight }),
    authentication: a.get("authentication").dist({ default: D.authentication }),
    authorization: a.get("authorization").dist({ default: D.authorization }),
    validation: a.get("validation").dist({ default: D.validation }),
    webhooks,
    serializationPerKiBNs: a.get("serializationPerKiB").duration({ min: 0, default: D.serializationPerKiBNs }),
    watchSendCostNs: a.get("watchSendCost").duration({ min: 0, default: D.watchSendCostNs }),
    network: a.get("network").dist({ default: D.network }),
  };
}
