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
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  authentication: DistSpec;
  authorization: DistSpec;
  /** Built-in admission plugins and object validation. */
  validation: DistSpec;
  webhooks: readonly WebhookSpec[];
  /** Encoding cost per KiB of object (request decode + response encode). */
  serializationPerKiBNs: number;
  /** Network latency between a client and the API server, each way. */
  network: DistSpec;
}

const { us, ms, s } = NS_PER;

export const API_SERVER_DEFAULTS: ApiServerSpec = {
  replicas: 1,
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
  // model: (assumed) JSON/protobuf codec cost, ~20 us per KiB (a 5 kB pod: ~100 us).
  serializationPerKiBNs: 20 * us,
  // model: in-datacenter one-way latency, half of a few-hundred-microsecond RTT (etcd performance.md).
  network: lognormal(150 * us, 600 * us),
};

/** model: admissionregistration/v1 defaults: timeoutSeconds 10, failurePolicy Fail. */
const WEBHOOK_DEFAULT_TIMEOUT_NS = 10 * s;

export function readApiServer(a: YamlReader): ApiServerSpec {
  const D = API_SERVER_DEFAULTS;
  a.object([
    "replicas",
    "maxRequestsInflight",
    "maxMutatingRequestsInflight",
    "authentication",
    "authorization",
    "validation",
    "webhooks",
    "serializationPerKiB",
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
    maxRequestsInflight: a.get("maxRequestsInflight").int({ min: 1, default: D.maxRequestsInflight }),
    maxMutatingRequestsInflight: a
      .get("maxMutatingRequestsInflight")
      .int({ min: 1, default: D.maxMutatingRequestsInflight }),
    authentication: a.get("authentication").dist({ default: D.authentication }),
    authorization: a.get("authorization").dist({ default: D.authorization }),
    validation: a.get("validation").dist({ default: D.validation }),
    webhooks,
    serializationPerKiBNs: a.get("serializationPerKiB").duration({ min: 0, default: D.serializationPerKiBNs }),
    network: a.get("network").dist({ default: D.network }),
  };
}
