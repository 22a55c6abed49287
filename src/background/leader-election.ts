import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { EventKind } from "../core/engine.js";
import type { KubeletStreamDeps } from "./kubelet-sync-loop.js";

/**
 * What {@link LeaderElection} is built from: the streams' engine, random streams, period spec
 * and API server, and the leader-election client of each component that elects a leader.
 */
export type LeaderElectionDeps = Pick<KubeletStreamDeps, "engine" | "random" | "spec" | "api"> & {
  clients: readonly number[];
};

/**
 * The leaders' Lease renewals of kube-controller-manager and kube-scheduler (in kube-system),
 * each through its component's leader-election client (classified by APF as
 * system-leader-election, level leader-election).
 *
 * model: client-go tools/leaderelection/leaderelection.go renew: wait.Until(...,
 * RetryPeriod): the leader retries tryAcquireOrRenew every retryPeriod (2 s) after the last
 * one returned; as leader with a valid lease it updates the Lease it observed last, with no
 * GET (the optimistic fast path). Two requests every 2 s in all, so each is its own request in
 * every mode: aggregating them would save nothing. Random draws (start phases) come from the
 * stream `background/leader-election`.
 */
export class LeaderElection {
  readonly name = "background/leader-election";
  renewals = 0;
  failures = 0;
  private readonly d: LeaderElectionDeps;
  private readonly kDue: EventKind;
  private readonly kReply: EventKind;
  private readonly phases: number[];

  constructor(d: LeaderElectionDeps) {
    this.d = d;
    const rng = d.random.stream(this.name);
    this.phases = d.clients.map(() => Math.floor(rng.next() * d.spec.periodNs));
    this.kDue = d.engine.register("background.leaderElection.due", (i) => this.onDue(i));
    this.kReply = d.engine.register("background.leaderElection.reply", (i, req) => this.onReply(i, req));
  }

  start(): void {
    const d = this.d;
    for (let i = 0; i < d.clients.length; i++) d.engine.schedule(this.phases[i]!, this.kDue, i);
  }

  private onDue(i: number): void {
    const d = this.d;
    d.api.submit(d.clients[i]!, Verb.update, Resource.leases, i, 0, d.spec.bytes, this.kReply, i);
  }

  private onReply(i: number, req: number): void {
    if (this.d.api.requests.status[req] === Status.ok) this.renewals++;
    else this.failures++;
    this.d.engine.schedule(this.d.spec.periodNs, this.kDue, i);
  }
}
