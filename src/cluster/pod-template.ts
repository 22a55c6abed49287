import type { DistSpec } from "../core/distributions.js";
import { Res } from "./resources.js";

/** A container's image and its pull policy (upstream spelling). */
export interface ContainerSpec {
  name: string;
  /** Interned image id. */
  image: number;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
}

/**
 * The part of a pod spec that pods stamped from one ReplicaSet share. Pods are rows in the
 * PodTable; they point at their template, so per-pod memory stays a few typed-array cells.
 */
export interface PodTemplate {
  /** Dense id, the index into the template list. */
  id: number;
  /** Requests per resource column; the pods column holds 1. */
  requests: Float64Array;
  /**
   * CPU and memory as the scoring plugins see them: 100m / 200 MiB for a container that
   * requests none. model: pkg/scheduler/util/pod_resources.go GetNonzeroRequests.
   */
  nonZeroCpuMilli: number;
  nonZeroMemBytes: number;
  priority: number;
  schedulerName: string;
  initContainers: readonly ContainerSpec[];
  containers: readonly ContainerSpec[];
  /** Interned (key, value) labels of the pod. */
  labels: readonly (readonly [number, number])[];
  /** A Job's pods: how long they run once Running before they Succeed (undefined: they run until deleted). */
  runDuration?: DistSpec;
  /** spec.preemptionPolicy Never: the scheduler never preempts for these pods. */
  preemptNever?: boolean;
  /** spec.terminationGracePeriodSeconds in ns (undefined: {@link DEFAULT_TERMINATION_GRACE_NS}). */
  terminationGraceNs?: number;
  /** spec.schedulingGates: the pods are created with these gates (src/cluster/pod-gates.ts). */
  schedulingGates?: readonly string[];
}

/** model: core/v1 DefaultTerminationGracePeriodSeconds = 30. */
export const DEFAULT_TERMINATION_GRACE_NS = 30e9;

/** model: pkg/scheduler/util/pod_resources.go DefaultMilliCPURequest. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** model: pkg/scheduler/util/pod_resources.go DefaultMemoryRequest (200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Builds the request vector of a pod from its containers' summed requests. */
export function podRequests(resourceCount: number, perResource: ReadonlyMap<number, number>): Float64Array {
  const req = new Float64Array(resourceCount);
  for (const [r, v] of perResource) req[r] = v;
  req[Res.pods] = 1;
  return req;
}
