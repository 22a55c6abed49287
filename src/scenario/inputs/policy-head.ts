import { METADATA_KEYS, OBJECT_KEYS } from "../core-v1-fields.js";
import type { YamlReader } from "../yaml-reader.js";

/**
 * The head of a policy object (HorizontalPodAutoscaler, PodDisruptionBudget, LimitRange,
 * ResourceQuota): its apiVersion matches `apiVersion` (described as `expected`), metadata.name
 * is any string (asked for as "the <kind>'s name") and metadata.namespace defaults to "default".
 * With `strict`, the object and its metadata may hold only their Kubernetes fields (unknown
 * fields are refused, as the API server's strict field validation refuses them); the other
 * readers report unknown fields through reportUnmodelled.
 */
export function readPolicyHead(
  r: YamlReader,
  kind: string,
  apiVersion: RegExp,
  expected: string,
  strict: boolean,
): { name: string; namespace: string } {
  if (strict) r.object(OBJECT_KEYS);
  r.get("apiVersion").str({ pattern: apiVersion, expected });
  const meta = r.get("metadata");
  if (strict) meta.object(METADATA_KEYS);
  const name = meta.get("name").str({ expected: `the ${kind}'s name` });
  const namespace = meta.get("namespace").str({ default: "default" });
  return { name, namespace };
}
