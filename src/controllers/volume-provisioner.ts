import { columnTable } from "../core/column-table.js";
import { Sampler } from "../core/distributions.js";
import type { Engine } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { ClaimObserver } from "../apiserver/object-store.js";
import type { StorageSpec } from "../scenario/sections/storage.js";

/** Per claim: its StorageClass (-1: none, a pre-provisioned volume) and when it is bound (NaN: not yet known). */
const Claims = columnTable({
  cls: { type: "Int32", unset: -1 },
  boundNs: { type: "Float64", unset: NaN },
});

/**
 * Dynamic provisioning of the PersistentVolumeClaims that the StatefulSet controller creates:
 * the external provisioner's CreateVolume and the PV controller's binding, as one
 * `provisionTime` sample per claim, started as the claim's StorageClass says.
 *
 * model: pkg/controller/volume/persistentvolume (PV controller) and the CSI
 * external-provisioner: with volumeBindingMode Immediate a claim is provisioned as soon as it
 * is created; with WaitForFirstConsumer only once the scheduler's VolumeBinding plugin, at
 * PreBind (binder.go BindPodVolumes), has written the chosen node to the claim
 * (volume.kubernetes.io/selected-node); PreBind then waits for the claim to be bound before the
 * pod is bound. A claim of no class ("") binds to a pre-provisioned volume at once. A bound
 * claim stays bound: a pod recreated at its ordinal (rollout, scale-up again) finds it ready.
 *
 * (approximation) A pod with an Immediate claim still being provisioned is not held back as
 * unschedulable (upstream's PreFilter "pod has unbound immediate PersistentVolumeClaims" until
 * the claim's update requeues it): its binding waits for the claim instead. The PV objects, the
 * claim's status writes, volume topology (a zonal volume pins its pod's zone) and
 * PreBind's 600 s bindTimeoutSeconds are not modelled.
 */
export class VolumeProvisioner implements ClaimObserver {
  private readonly engine: Engine;
  private readonly storage: StorageSpec;
  private readonly provision: Sampler[];
  private readonly claims = new Claims(64);
  /** The claims each pod mounts (its volumeClaimTemplates' claims), by pod row. */
  private readonly podClaims = new Map<number, readonly number[]>();
  /** Claims provisioned so far. */
  provisioned = 0;

  constructor(engine: Engine, random: RandomStreams, storage: StorageSpec) {
    this.engine = engine;
    this.storage = storage;
    this.provision = storage.classes.map(
      (c) => new Sampler(c.provisionTime, random.stream(`storage/provision/${c.name}`)),
    );
  }

  /** A new claim of class `cls` (an index of storage.classes; -1: no class); returns its id. */
  addClaim(cls: number): number {
    const c = this.claims.addRow();
    this.claims.cls[c] = cls;
    return c;
  }

  /** Pod `pod` mounts `claims`. */
  setPodClaims(pod: number, claims: readonly number[]): void {
    if (claims.length > 0) this.podClaims.set(pod, claims);
  }

  claimCreated(claim: number): void {
    if (!Number.isNaN(this.claims.boundNs[claim])) return;
    const cls = this.claims.cls[claim]!;
    if (cls < 0) this.claims.boundNs[claim] = this.engine.now;
    else if (this.storage.classes[cls]!.volumeBindingMode === "Immediate") this.start(claim, cls);
  }

  /**
   * When pod `pod`, which the scheduler has just placed, may be bound: once every claim it
   * mounts is bound. WaitForFirstConsumer claims not yet provisioned start provisioning now.
   */
  preBindAt(pod: number): number {
    const now = this.engine.now;
    const claims = this.podClaims.get(pod);
    if (claims === undefined) return now;
    let at = now;
    for (let i = 0; i < claims.length; i++) {
      const c = claims[i]!;
      if (Number.isNaN(this.claims.boundNs[c])) this.start(c, this.claims.cls[c]!);
      at = Math.max(at, this.claims.boundNs[c]!);
    }
    return at;
  }

  private start(claim: number, cls: number): void {
    this.claims.boundNs[claim] = this.engine.now + (cls < 0 ? 0 : this.provision[cls]!.sample());
    this.provisioned++;
  }
}
