import type { ApiServer } from "../apiserver/api-server.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { PeriodicStreamSpec } from "../scenario/sections/background.js";

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
  private readonly engine: Engine;
  private readonly api: ApiServer;
  private readonly spec: PeriodicStreamSpec;
  private readonly clients: readonly number[];
  private readonly kDue: EventKind;
  private readonly kReply: EventKind;
  private readonly phases: number[];

  /** `clients`: the leader-election client of each component that elects a leader. */
  constructor(
    engine: Engine,
    random: RandomStreams,
    spec: PeriodicStreamSpec,
    api: ApiServer,
    clients: readonly number[],
  ) {
    this.engine = engine;
    this.api = api;
    this.spec = spec;
    this.clients = clients;
    const rng = random.stream(this.name);
    this.phases = clients.map(() => Math.floor(rng.next() * spec.periodNs));
    this.kDue = engine.register("background.leaderElection.due", (i) => this.onDue(i));
    this.kReply = engine.register("background.leaderElection.reply", (i, req) => this.onReply(i, req));
  }

  start(): void {
    for (let i = 0; i < this.clients.length; i++) this.engine.schedule(this.phases[i]!, this.kDue, i);
  }

  private onDue(i: number): void {
    this.api.submit(this.clients[i]!, Verb.update, Resource.leases, i, 0, this.spec.bytes, this.kReply, i);
  }

  private onReply(i: number, req: number): void {
    if (this.api.requests.status[req] === Status.ok) this.renewals++;
    else this.failures++;
    this.engine.schedule(this.spec.periodNs, this.kDue, i);
  }
}
