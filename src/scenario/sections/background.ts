import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";

/** How periodic background streams reach the API server: as aggregates per tick, or one request each. */
export type BackgroundMode = "aggregate" | "perRequest";

/** One periodic stream: on or off, and its period. */
export interface PeriodicStreamSpec {
  enabled: boolean;
  periodNs: number;
  /** Bytes etcd stores per write of the stream (the whole object). */
  bytes: number;
}

/** The kubelets' node status: computed every `periodNs`, sent when changed or every `reportFrequencyNs`. */
export interface NodeStatusStreamSpec extends PeriodicStreamSpec {
  reportFrequencyNs: number;
}

/** Events of the pod lifecycle, through the event recorder. */
export interface EventsStreamSpec {
  enabled: boolean;
  bytes: number;
}

/**
 * The steady load of a real cluster (`controlPlane.background`), all through the real request
 * path: node Lease renewals, node status updates, leader-election renewals and pod lifecycle
 * Events. Each stream is on by default and can be turned off or given another period.
 */
export interface BackgroundSpec {
  /** `aggregate` (default): one group per tick per stream; `perRequest`: every request on its own. */
  mode: BackgroundMode;
  /** Aggregate mode: the requests of a stream due within one tick travel together. */
  tickNs: number;
  nodeLeases: PeriodicStreamSpec;
  nodeStatus: NodeStatusStreamSpec;
  leaderElection: PeriodicStreamSpec;
  events: EventsStreamSpec;
}

const { ms, s, m } = NS_PER;

export const BACKGROUND_DEFAULTS: BackgroundSpec = {
  mode: "aggregate",
  // model: (assumed) 100 ms: 1% of a Lease period, so grouping moves a renewal by at most 50 ms.
  tickNs: 100 * ms,
  nodeLeases: {
    enabled: true,
    // model: pkg/kubelet/kubelet.go renewInterval = nodeLeaseRenewIntervalFraction (0.25) x
    // NodeLeaseDurationSeconds (kubelet config v1beta1 defaults: 40): every 10 s.
    periodNs: 10 * s,
    // model: (assumed) a node Lease as stored: metadata, holderIdentity, durations, renewTime.
    bytes: 400,
  },
  nodeStatus: {
    enabled: true,
    // model: kubelet config v1beta1 defaults: nodeStatusUpdateFrequency 10 s (status computed),
    // nodeStatusReportFrequency 5 min (sent at least that often when unchanged).
    periodNs: 10 * s,
    reportFrequencyNs: 5 * m,
    // model: (assumed) a Node as stored, with its conditions, addresses and image list: etcd
    // stores the whole object for a status patch.
    bytes: 12_000,
  },
  leaderElection: {
    enabled: true,
    // model: component-base/config/v1alpha1/defaults.go RecommendedDefaultLeaderElectionConfiguration:
    // leaseDuration 15 s, renewDeadline 10 s, retryPeriod 2 s; the leader renews every retryPeriod.
    periodNs: 2 * s,
    bytes: 400,
  },
  events: {
    enabled: true,
    // model: (assumed) a core/v1 Event as stored: involvedObject, reason, message, source, times.
    bytes: 800,
  },
};

function readPeriodic(r: YamlReader, d: PeriodicStreamSpec, extra: readonly string[] = []): PeriodicStreamSpec {
  r.object(["enabled", "period", "bytes", ...extra]);
  return {
    enabled: r.get("enabled").bool({ default: d.enabled }),
    periodNs: r.get("period").duration({ min: 1 * ms, default: d.periodNs }),
    bytes: r.get("bytes").int({ min: 1, default: d.bytes }),
  };
}

export function readBackground(r: YamlReader): BackgroundSpec {
  const D = BACKGROUND_DEFAULTS;
  r.object(["mode", "tick", "nodeLeases", "nodeStatus", "leaderElection", "events"]);
  const status = r.get("nodeStatus");
  const ev = r.get("events");
  ev.object(["enabled", "bytes"]);
  return {
    mode: r.get("mode").oneOf(["aggregate", "perRequest"] as const, { default: D.mode }),
    tickNs: r.get("tick").duration({ min: 1 * ms, max: 1 * s, default: D.tickNs }),
    nodeLeases: readPeriodic(r.get("nodeLeases"), D.nodeLeases),
    nodeStatus: {
      ...readPeriodic(status, D.nodeStatus, ["reportFrequency"]),
      reportFrequencyNs: status
        .get("reportFrequency")
        .duration({ min: 1 * ms, default: D.nodeStatus.reportFrequencyNs }),
    },
    leaderElection: readPeriodic(r.get("leaderElection"), D.leaderElection),
    events: {
      enabled: ev.get("enabled").bool({ default: D.events.enabled }),
      bytes: ev.get("bytes").int({ min: 1, default: D.events.bytes }),
    },
  };
}
