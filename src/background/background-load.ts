import type { ApiServer } from "../apiserver/api-server.js";
import type { ApiClients } from "../apiserver/clients.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import type { Component } from "../core/component.js";
import type { Engine } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { BackgroundSpec } from "../scenario/sections/background.js";
import { LeaderElection } from "./leader-election.js";
import { type LeaseObserver, NodeLeases } from "./node-leases.js";
import { NodeStatus } from "./node-status.js";
import { PodEvents } from "./pod-events.js";

/**
 * model: kubelet config v1beta1 defaults eventRecordQPS 50, eventBurst 100: the kubelet's
 * event client has its own token bucket.
 */
const KUBELET_EVENT_QPS = 50;
const KUBELET_EVENT_BURST = 100;

/** What {@link BackgroundLoad} is built from. */
export interface BackgroundLoadDeps {
  engine: Engine;
  random: RandomStreams;
  spec: BackgroundSpec;
  api: ApiServer;
  clients: ApiClients;
  nodes: NodeTable;
  pods: PodTable;
  templates: readonly PodTemplate[];
  /** kube-controller-manager's and kube-scheduler's client limits (their leader-election and event clients). */
  controllerManager: { qps: number; burst: number };
  scheduler: { qps: number; burst: number };
  /** The node lifecycle controller: told of each Lease renewal; tells which kubelets stopped. */
  observer: LeaseObserver;
}

/**
 * The steady load of a real cluster, one stream per file of this folder, each on or off as
 * the scenario's `controlPlane.background` says: node Leases, node status, leader election,
 * pod lifecycle Events. All of it goes through the API server's request path and etcd.
 *
 * model: the aggregate mode's approximation (ApiServer.submitGroup, EtcdCluster.proposeGroup):
 * the requests of one stream due within a tick reach the API server and etcd together, at the
 * tick. Measured against `perRequest`: within 5% on etcd throughput, mean commit latency and
 * APF wait at 50 nodes (test/background/streams.test.ts); at 2,000 nodes (10k-pods) the
 * groups of ~20 Leases make etcd batches larger than spread arrivals would (mean commit
 * 2.26 ms against 2.08 ms) and Lease latency p50 3.2 ms against 2.7 ms; pod figures move by
 * under 1%. Events are not periodic, but their timing does not touch any pod's path (the
 * recorder's sink writes them apart), so they are aggregated the same way.
 */
export class BackgroundLoad implements Component {
  readonly name = "background";
  readonly spec: BackgroundSpec;
  readonly nodeLeases: NodeLeases | undefined;
  readonly nodeStatus: NodeStatus | undefined;
  readonly leaderElection: LeaderElection | undefined;
  /** The event recorders; always there for the components' hooks, silent when Events are off. */
  readonly events: PodEvents;

  constructor(d: BackgroundLoadDeps) {
    const s = d.spec;
    this.spec = s;
    const common = { engine: d.engine, random: d.random, mode: s.mode, tickNs: s.tickNs, api: d.api, nodes: d.nodes };
    // model: cmd/kubelet/app/server.go: Lease and node status writes go through the kubelet's
    // heartbeat client, built with QPS -1 (no client-side limiter). Its timeout,
    // min(nodeStatusUpdateFrequency, nodeLeaseDurationSeconds) = 10 s, is not modelled: a
    // renewal is retried at once on failure (retryUpdateLease), so the timeout only matters once
    // renewals take 10 s, past which the run is NotReady territory anyway.
    let heartbeat = new Int32Array(0);
    if (s.nodeLeases.enabled || s.nodeStatus.enabled) {
      heartbeat = new Int32Array(d.nodes.size);
      for (let node = 0; node < d.nodes.size; node++)
        heartbeat[node] = d.clients.add(`system:node:${d.nodes.names[node]}`, Infinity, 1);
    }
    this.nodeLeases = s.nodeLeases.enabled
      ? new NodeLeases({ ...common, spec: s.nodeLeases, clientOf: heartbeat, observer: d.observer })
      : undefined;
    this.nodeStatus = s.nodeStatus.enabled
      ? new NodeStatus({ ...common, spec: s.nodeStatus, clientOf: heartbeat, observer: d.observer })
      : undefined;
    // model: kube-controller-manager and kube-scheduler build their leader-election client from
    // their own kubeconfig (a client of its own, the component's user and limits).
    this.leaderElection = s.leaderElection.enabled
      ? new LeaderElection({
          ...common,
          spec: s.leaderElection,
          clients: [
            d.clients.add("system:kube-controller-manager", d.controllerManager.qps, d.controllerManager.burst),
            d.clients.add("system:kube-scheduler", d.scheduler.qps, d.scheduler.burst),
          ],
        })
      : undefined;
    let kubeletEvents = new Int32Array(0);
    let schedulerEvents = -1;
    if (s.events.enabled) {
      kubeletEvents = new Int32Array(d.nodes.size);
      for (let node = 0; node < d.nodes.size; node++)
        kubeletEvents[node] = d.clients.add(
          `system:node:${d.nodes.names[node]}`,
          KUBELET_EVENT_QPS,
          KUBELET_EVENT_BURST,
        );
      schedulerEvents = d.clients.add("system:kube-scheduler", d.scheduler.qps, d.scheduler.burst);
    }
    this.events = new PodEvents({
      engine: d.engine,
      spec: s.events,
      mode: s.mode,
      tickNs: s.tickNs,
      api: d.api,
      pods: d.pods,
      templates: d.templates,
      schedulerClient: schedulerEvents,
      kubeletClientOf: kubeletEvents,
    });
  }

  start(): void {
    this.nodeLeases?.start();
    this.nodeStatus?.start();
    this.leaderElection?.start();
  }
}
