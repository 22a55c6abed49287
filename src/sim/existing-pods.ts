import type { PodTemplate } from "../cluster/pod-template.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { PodTable } from "../cluster/pod-table.js";
import { newReplicaSet } from "../cluster/workloads.js";
import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { ResourceQuotas } from "../apiserver/resource-quotas.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { POD_BYTES, type ReplicaSetController } from "../controllers/replicaset-controller.js";
import type { StatefulSetController } from "../controllers/statefulset-controller.js";
import { podOrdinal } from "../scenario/inputs/stateful-sets.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { ExistingPodSpec } from "../scenario/sections/cluster-pods.js";
import type { Scenario } from "../scenario/types.js";
import type { AllRunningCondition } from "./all-running.js";
import { buildTemplate, type Vocabulary } from "./build-cluster.js";

/** model: (assumed) size of a ReplicaSet create body, as the deployment controller's. */
const REPLICASET_BYTES = 3_000;

/** What {@link ExistingPods} is built from. */
export interface ExistingPodsDeps {
  engine: Engine;
  scenario: Scenario;
  vocabulary: Vocabulary;
  nodes: NodeTable;
  pods: PodTable;
  store: ObjectStore;
  api: ApiServer;
  /** The client the existing objects are written with. */
  client: number;
  templates: PodTemplate[];
  templateSpecs: DeploymentSpec[];
  replicaSets: ReplicaSetController;
  /** The StatefulSet controller, which adopts its sets' pods (undefined without StatefulSets). */
  statefulSets?: StatefulSetController | undefined;
  /** Pod names to write to pods.arrow instead of generated ones. */
  podNames: Map<number, string>;
  /** Waits for every existing object to be written before judging "all Running". */
  allRunning: AllRunningCondition;
  /** The namespaces' ResourceQuotas, which existing pods are charged to (undefined without any). */
  quotas: ResourceQuotas | undefined;
}

/** Pods of cluster.pods that no Deployment of the workload adopts: each one the run must see Running. */
export function unadoptedPods(s: Scenario): number {
  let n = 0;
  for (const p of s.existingPods ?? []) if (p.adoptedBy === undefined) n++;
  return n;
}

/**
 * The pods of `cluster.pods`, as the run starts with them. At initialize each gets its row:
 * a pod adopted by a Deployment of the workload belongs to that Deployment's ReplicaSet (the
 * dump's, created here so that the deployment controller finds it and creates no other); a pod
 * adopted by a StatefulSet holds its ordinal there (the StatefulSet controller's adoptExisting,
 * at initialize, so it creates no other pod at that ordinal); any other belongs to a stand-in owner of its controller's kind that no controller acts on, one
 * per owner and pod spec. At t = 0 every pod is written, bound to its node when the dump says
 * so, then the adopted ReplicaSets; the replicaset controller waits until it has observed
 * their pods before its first sync, so it creates no duplicate.
 *
 * model: (approximation) a bound pod starts as its kubelet starts pods after a restart: from the
 * node's image cache, through sandbox and containers, to Running a few seconds in; the
 * scheduler takes it into its cache as soon as it sees it (no scheduling, no binding: its
 * scheduled_ns and bound_ns stay null). A Pending pod without a node is queued at t = 0.
 */
export class ExistingPods implements Component {
  readonly name = "existing-pods";
  private readonly d: ExistingPodsDeps;
  private readonly rows: number[] = [];
  /** ReplicaSets of adopting Deployments, which this component creates once their pods are in. */
  private readonly adoptedSets: number[] = [];
  /** Every ReplicaSet that adopts pods (those of Deployments, and ReplicaSets created as such by kubectl). */
  private readonly adopting: number[] = [];
  private readonly kCreated: EventKind;
  private inflight = 0;
  private written = false;

  constructor(d: ExistingPodsDeps) {
    this.d = d;
    this.kCreated = d.engine.register("existing-pods.created", () => this.onCreated());
    d.allRunning.awaitSettled(this);
  }

  /** Writes not yet answered (0 once every existing object is in). */
  get pending(): number {
    return this.written ? this.inflight : 1;
  }

  initialize(): void {
    const { scenario, store, nodes } = this.d;
    const nodeIdx = new Map<string, number>();
    for (let i = 0; i < nodes.size; i++) nodeIdx.set(nodes.names[i]!, i);
    const holders = new Map<string, number>();
    const adopted = new Map<string, number>();
    const membersOf = new Map<number, number[]>();
    for (const p of scenario.existingPods ?? []) {
      const rs = p.adoptedBy !== undefined ? this.adoptedSet(p, adopted) : this.holderSet(p, holders);
      const state = store.replicaSets[rs]!;
      const row = this.d.pods.add(rs, state.nextOrdinal++, state.template);
      if (p.nodeName !== "") {
        const n = nodeIdx.get(p.nodeName);
        if (n === undefined) throw new SimulationError(this.name, 0, `no node ${p.nodeName} for pod ${p.name}`);
        this.d.pods.node[row] = n;
      }
      this.d.podNames.set(row, p.name);
      this.rows.push(row);
      const sts = p.adoptedBy === undefined ? undefined : store.statefulSets.find((x) => x.revisions[0] === rs);
      if (sts !== undefined) this.d.statefulSets!.adoptExisting(sts.idx, row, podOrdinal(sts.name, p.name));
      const m = membersOf.get(rs);
      if (m === undefined) membersOf.set(rs, [row]);
      else m.push(row);
    }
    for (const rs of this.adopting) this.d.replicaSets.expectExisting(rs, membersOf.get(rs) ?? []);
  }

  start(): void {
    const { api, client } = this.d;
    for (const row of this.rows) {
      this.inflight++;
      // model: pods that exist were admitted when they were created; they count against quota
      // (the resourcequota controller's first sync) without being checked again.
      this.d.quotas?.chargeExisting(row);
      api.submit(client, Verb.create, Resource.pods, row, 0, POD_BYTES, this.kCreated, row);
    }
    this.written = true;
    if (this.inflight === 0) {
      this.inflight = 1;
      this.onCreated();
    }
  }

  /** A write was answered: once every pod is in, the adopted ReplicaSets are created; once they are, this is settled. */
  private onCreated(): void {
    if (--this.inflight > 0) return;
    for (const rs of this.adoptedSets.splice(0)) {
      this.inflight++;
      const st = this.d.store.replicaSets[rs]!;
      this.d.api.submit(
        this.d.client,
        Verb.create,
        Resource.replicasets,
        rs,
        st.replicas,
        REPLICASET_BYTES,
        this.kCreated,
        rs,
      );
    }
    if (this.inflight === 0) this.d.allRunning.settled();
  }

  /** The ReplicaSet of the adopting Deployment (its current template), created once per owner name. */
  private adoptedSet(p: ExistingPodSpec, byName: Map<string, number>): number {
    const store = this.d.store;
    const key = `${p.namespace}/${p.ownerName}`;
    const known = byName.get(key);
    if (known !== undefined) return known;
    const dep = store.deployments.find(
      (x) =>
        x.spec.name === p.adoptedBy &&
        x.spec.namespace === p.namespace &&
        (x.ownerKind === undefined || x.spec.kind === "ReplicaSet" || x.spec.kind === "StatefulSet"),
    );
    if (dep === undefined) throw new SimulationError(this.name, 0, `no Deployment or ReplicaSet ${p.adoptedBy}`);
    if (dep.spec.kind === "StatefulSet") {
      // Its pods hold their ordinals of the set (adoptExisting); kubectl creates the set.
      const own = dep.replicaSets[0]!;
      byName.set(key, own);
      return own;
    }
    if (dep.spec.kind === "ReplicaSet") {
      // A ReplicaSet of the workload adopts the pods it owns; kubectl creates its object.
      const own = dep.replicaSets[0]!;
      byName.set(key, own);
      this.adopting.push(own);
      return own;
    }
    const rs = store.replicaSets.length;
    store.replicaSets.push(newReplicaSet(rs, p.ownerName, dep.idx, dep.template, dep.replicas));
    dep.replicaSets.push(rs);
    byName.set(key, rs);
    this.adoptedSets.push(rs);
    this.adopting.push(rs);
    return rs;
  }

  /** The stand-in owner of pods whose controller is not simulated: one per owner and pod spec. */
  private holderSet(p: ExistingPodSpec, byKey: Map<string, number>): number {
    const { store, templates, templateSpecs, vocabulary } = this.d;
    const key = `${p.ownerKind}/${p.namespace}/${p.ownerName || p.name}/${JSON.stringify(p.pod, mapsAsObjects)}`;
    const known = byKey.get(key);
    if (known !== undefined) {
      const st = store.replicaSets[known]!;
      st.replicas++;
      store.deployments[st.deployment]!.replicas++;
      return known;
    }
    const name = p.ownerName || p.name;
    const spec: DeploymentSpec = {
      name,
      namespace: p.namespace,
      replicas: 1,
      maxSurge: 0,
      maxUnavailable: 0,
      pod: p.pod,
    };
    const t = templates.length;
    templates.push(buildTemplate(t, spec, vocabulary));
    templateSpecs.push(spec);
    const d = store.deployments.length;
    const rs = store.replicaSets.length;
    store.deployments.push({
      idx: d,
      spec,
      template: t,
      replicas: 1,
      replicaSets: [rs],
      exists: false,
      statusAvailable: 0,
      ownerKind: p.ownerKind,
    });
    store.replicaSets.push(newReplicaSet(rs, name, d, t, 1));
    byKey.set(key, rs);
    return rs;
  }
}

function mapsAsObjects(_k: string, v: unknown): unknown {
  return v instanceof Map ? Object.fromEntries(v) : v;
}
