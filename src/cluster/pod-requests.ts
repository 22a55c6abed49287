/** One container's requests as the resource helpers read them: a vector over resource columns. */
export interface ContainerRequests {
  requests: Float64Array;
  /** An init container with restartPolicy Always (a sidecar). */
  sidecar: boolean;
}

/**
 * A pod's effective requests, per resource column, into `out` (zeroed first).
 *
 * model: k8s.io/component-helpers/resource/helpers.go PodRequests (the scheduler's
 * NodeResourcesFit and the kubelet's admission both use it):
 * - the app containers' requests are summed;
 * - init containers are walked in order: a sidecar (restartPolicy Always, KEP-753) adds its
 *   requests to that sum and to the sidecars started so far; a regular init container needs
 *   its own requests plus the sidecars started before it; the init phase needs the largest of
 *   these;
 * - the pod needs the larger of the two, per resource, plus spec.overhead (the RuntimeClass's
 *   podFixed, KEP-688).
 * The same walk over non-zero requests (100m / 200 MiB for a container that requests no cpu /
 * memory: NonMissingContainerRequests) gives what the scoring plugins count.
 */
export function effectiveRequests(
  out: Float64Array,
  containers: readonly ContainerRequests[],
  initContainers: readonly ContainerRequests[],
  overhead: Float64Array | undefined,
): Float64Array {
  const R = out.length;
  out.fill(0);
  for (const c of containers) for (let r = 0; r < R; r++) out[r]! += c.requests[r]!;
  const sidecars = new Float64Array(R);
  const initMax = new Float64Array(R);
  for (const c of initContainers) {
    for (let r = 0; r < R; r++) {
      const x = c.requests[r]!;
      let need: number;
      if (c.sidecar) {
        out[r]! += x;
        sidecars[r]! += x;
        need = sidecars[r]!;
      } else need = x + sidecars[r]!;
      if (need > initMax[r]!) initMax[r] = need;
    }
  }
  for (let r = 0; r < R; r++) {
    if (initMax[r]! > out[r]!) out[r] = initMax[r]!;
    if (overhead !== undefined) out[r]! += overhead[r]!;
  }
  return out;
}
