import type { DeploymentSpec } from "../manifests.js";
import type { YamlReader } from "../yaml-reader.js";

/**
 * How the API timestamps the e2e density test reads reach it.
 * - `seconds`: every one in whole seconds. metav1.Time marshals to JSON as RFC 3339 without a
 *   fraction (apimachinery meta/v1/time.go MarshalJSON), Kubernetes 1.0 spoke only JSON, and
 *   since kubernetes#47975 (2017-06, "make proto time precision match json") protobuf drops
 *   the nanoseconds too (time_proto.go ProtoTime).
 * - `protobuf-nanos`: Kubernetes 1.3 to 1.7 over protobuf (the e2e framework's and the
 *   scheduler's default content type), before #47975: creationTimestamp and the Event's
 *   firstTimestamp keep their nanoseconds; a container's startedAt is still whole seconds, as
 *   the kubelet's status manager truncates it before writing (status_manager.go
 *   normalizeStatus, Rfc3339Copy; kubernetes#15262).
 */
export type ApiTimestamps = "seconds" | "protobuf-nanos";

/**
 * `densityTest:` measure pod startup as upstream's e2e density test did (test/e2e/density.go
 * runLatencyTest, 2015; test/e2e/scalability/density.go, 2017): its pod informer's own clock
 * for "watch", and the API's timestamps for the rest.
 */
export interface DensityTestSpec {
  /** The Deployment whose pods the test measures (its latency pods); null: every pod. */
  deployment: string | null;
  apiTimestamps: ApiTimestamps;
}

/** Reads `densityTest:` (absent: undefined). `deployments` are the workload's, to check the name. */
export function readDensityTest(r: YamlReader, deployments: readonly DeploymentSpec[]): DensityTestSpec | undefined {
  if (!r.present) return undefined;
  r.object(["pods", "apiTimestamps"]);
  let deployment: string | null = null;
  if (r.has("pods")) {
    const p = r.get("pods");
    deployment = p.str({ expected: "the name of a Deployment of the workload" });
    if (!deployments.some((d) => d.name === deployment))
      p.fail(`one of the workload's Deployments (${deployments.map((d) => d.name).join(", ")})`);
  }
  return {
    deployment,
    apiTimestamps: r.get("apiTimestamps").oneOf(["seconds", "protobuf-nanos"] as const, { default: "seconds" }),
  };
}
