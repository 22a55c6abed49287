import { NS_PER } from "../core/time.js";
import type { ProbeManifest } from "../scenario/manifests.js";

/** When one container's probes see it, all in simulated ns. */
export interface ProbeTimes {
  /** The probe workers started: the pod's admission (prober_manager.go AddPod). */
  workerStartNs: number;
  /** The kubelet's status first shows the container running (the PLEG-driven sync). */
  observedRunningNs: number;
  /** The container's StartedAt. */
  startedNs: number;
  /** From when the application answers its probes. */
  appUpNs: number;
  /** Duration of one probe. */
  probeLatencyNs: number;
}

/**
 * The first probe run at or after `fromNs` that succeeds, for a worker ticking at
 * `workerStart + k * period` with an optional extra run at `manualNs` (-1: none), followed by
 * `successThreshold - 1` further successful ticks. Returns the time the deciding probe ends.
 *
 * model: pkg/kubelet/prober/worker.go run/doProbe: the worker probes at once when it starts
 * and then on its ticker (no initial random sleep: the kubelet is taken to have started long
 * before the run); a probe is skipped while the container is not yet running in the status
 * manager or `int32(time.Since(StartedAt).Seconds()) < initialDelaySeconds`; it succeeds once
 * the application answers; `successThreshold` consecutive successes flip the result.
 * A startup probe that keeps failing would restart the container after failureThreshold
 * periods; that restart is not modelled (appStartup should stay within the probe's budget).
 */
function firstSuccess(p: ProbeManifest, t: ProbeTimes, fromNs: number, manualNs: number): number {
  const period = p.periodSeconds * NS_PER.s;
  const ok = (at: number) =>
    at >= t.observedRunningNs && at >= t.appUpNs && Math.trunc((at - t.startedNs) / NS_PER.s) >= p.initialDelaySeconds;
  let at: number;
  if (manualNs >= 0 && manualNs >= fromNs && ok(manualNs)) {
    at = manualNs;
  } else {
    // The earliest tick that can succeed, found by arithmetic rather than by stepping.
    const floorNs = Math.max(fromNs, t.observedRunningNs, t.appUpNs, t.startedNs + p.initialDelaySeconds * NS_PER.s);
    let k = Math.max(0, Math.ceil((floorNs - t.workerStartNs) / period));
    at = t.workerStartNs + k * period;
    while (!ok(at)) at = t.workerStartNs + ++k * period;
  }
  return at + (p.successThreshold - 1) * period + t.probeLatencyNs;
}

/**
 * When a container becomes Ready: its startup probe (if any) must succeed first, then its
 * readiness probe (if any). Without probes the container is Ready as soon as the kubelet's
 * status shows it running.
 *
 * model: pkg/kubelet/prober/prober_manager.go UpdatePodStatus: a container is started when its
 * startup probe succeeded (or it has none); a started running container without a readiness
 * probe is ready; one with a readiness probe that has no result yet gets an immediate manual
 * probe run (manualTriggerCh) at the status update that first sees it started.
 */
export function containerReadyNs(
  startup: ProbeManifest | undefined,
  readiness: ProbeManifest | undefined,
  t: ProbeTimes,
): number {
  const started = startup === undefined ? t.observedRunningNs : firstSuccess(startup, t, t.workerStartNs, -1);
  if (readiness === undefined) return started;
  return firstSuccess(readiness, t, started, started);
}
