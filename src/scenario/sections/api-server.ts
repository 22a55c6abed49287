import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";

/** kube-apiserver settings of a scenario (`controlPlane.apiserver`). */
export interface ApiServerSpec {
  replicas: number;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  /** Latency of the handler chain before storage: authn + authz + admission + validation. */
  handler: DistSpec;
  /** Network latency between a client and the API server, each way. */
  network: DistSpec;
}

const { us, ms } = NS_PER;

export const API_SERVER_DEFAULTS: ApiServerSpec = {
  replicas: 1,
  // model: kube-apiserver flags --max-requests-inflight=400, --max-mutating-requests-inflight=200.
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  // model: (anecdote) no upstream per-stage figure; a handler chain of ~1 ms median keeps
  // single-object mutating calls far inside the 1 s p99 SLO, as 5,000-node clusters show
  // (k8s 1.6 blog: all API percentiles < 500 ms, p90 < ~100 ms at 5,000 nodes).
  handler: lognormal(800 * us, 5 * ms),
  // model: in-datacenter one-way latency, half of a few-hundred-microsecond RTT (etcd performance.md).
  network: lognormal(150 * us, 600 * us),
};

export function readApiServer(a: YamlReader): ApiServerSpec {
  const D = API_SERVER_DEFAULTS;
  a.object(["replicas", "maxRequestsInflight", "maxMutatingRequestsInflight", "handler", "network"]);
  return {
    replicas: a.get("replicas").int({ min: 1, max: 64, default: D.replicas }),
    maxRequestsInflight: a.get("maxRequestsInflight").int({ min: 1, default: D.maxRequestsInflight }),
    maxMutatingRequestsInflight: a.get("maxMutatingRequestsInflight").int({ min: 1, default: D.maxMutatingRequestsInflight }),
    handler: a.get("handler").dist({ default: D.handler }),
    network: a.get("network").dist({ default: D.network }),
  };
}
