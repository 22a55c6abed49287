import type { DeploymentSpec } from "../scenario/manifests.js";
import { pdbSelects, type IntOrPercent, type PdbSpec } from "../scenario/inputs/pod-disruption-budgets.js";

/** A PodDisruptionBudget as the simulated API holds it. Budgets are few: plain objects. */
export interface PdbState {
  idx: number;
  spec: PdbSpec;
  /** status.disruptionsAllowed as stored: written by the disruption controller, decremented by evictions. */
  disruptionsAllowed: number;
  /** status.expectedPods, currentHealthy, desiredHealthy of the controller's last sync. */
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  /** Bumped by every stored change (its resourceVersion); a status write read at another version conflicts. */
  version: number;
  /** The version the controller's status write in flight was computed at. */
  readVersion: number;
  /** Pods of the budget seen by the controller, in order seen (removed pods are skipped when read). */
  pods: number[];
}

/** A number of pods scaled from an int or a percentage of `total`, rounded up. */
export function scaledValue(v: IntOrPercent, total: number): number {
  // model: intstr.GetScaledValueFromIntOrPercent(..., roundUp=true): ceil(percent * total / 100).
  return v.percent ? Math.ceil((v.value * total) / 100) : v.value;
}

/**
 * The budget's (expectedPods, desiredHealthy) from its spec. `scale` is the sum of the matched
 * pods' controllers' replicas; `matched` the number of pods it selects.
 * model: disruption.go getExpectedPodCount: maxUnavailable (int or %) and a percentage
 * minAvailable use the controllers' scale; an integer minAvailable counts the matched pods.
 */
export function expectedAndDesired(spec: PdbSpec, scale: number, matched: number): [number, number] {
  if (spec.maxUnavailable !== undefined) return [scale, Math.max(0, scale - scaledValue(spec.maxUnavailable, scale))];
  if (spec.minAvailable === undefined) return [0, 0];
  if (!spec.minAvailable.percent) return [matched, spec.minAvailable.value];
  return [scale, scaledValue(spec.minAvailable, scale)];
}

/**
 * model: disruption.go updatePdbStatus: disruptionsAllowed = currentHealthy - desiredHealthy,
 * 0 when negative or when no pod is expected (so a budget whose pods have just appeared is safe).
 */
export function disruptionsAllowed(currentHealthy: number, desiredHealthy: number, expected: number): number {
  const allowed = currentHealthy - desiredHealthy;
  return expected <= 0 || allowed <= 0 ? 0 : allowed;
}

/**
 * The budgets as DefaultPreemption reads them (see PreemptionBudgets in the scheduler cache):
 * per pod the budgets whose selector is not empty and selects it (filterPodsWithPDBViolation:
 * "A PDB with a nil or empty selector matches nothing", unlike the Eviction API), their stored
 * disruptionsAllowed, and the pods in disruptedPods.
 */
export function preemptionBudgets(
  budgets: DisruptionBudgets,
  templateOf: (pod: number) => number,
): { of(pod: number): readonly number[]; allowed(b: number): number; isDisrupted(pod: number): boolean } {
  const byTemplate: (readonly number[] | undefined)[] = [];
  return {
    of(pod) {
      const t = templateOf(pod);
      let m = byTemplate[t];
      if (m === undefined) {
        m = budgets.ofTemplate(t).filter((b) => {
          const sel = budgets.budgets[b]!.spec.selector;
          return sel !== undefined && (sel.matchLabels.size > 0 || sel.matchExpressions.length > 0);
        });
        byTemplate[t] = m;
      }
      return m;
    },
    allowed: (b) => budgets.budgets[b]!.disruptionsAllowed,
    isDisrupted: (pod) => budgets.isDisrupted(pod),
  };
}

/**
 * The run's PodDisruptionBudgets and which of them select each pod template (a template's
 * labels are its pods' labels), matched once per template.
 */
export class DisruptionBudgets {
  readonly budgets: PdbState[];
  /** Per pod: in the budget's status.disruptedPods (evicted, not yet seen deleted by the controller). */
  disrupted = new Uint8Array(1024);
  private readonly templateSpecs: readonly DeploymentSpec[];
  private readonly byTemplate: (readonly number[] | undefined)[] = [];

  constructor(specs: readonly PdbSpec[], templateSpecs: readonly DeploymentSpec[]) {
    this.templateSpecs = templateSpecs;
    this.budgets = specs.map((spec, idx) => ({
      idx,
      spec,
      disruptionsAllowed: 0,
      expectedPods: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      version: 0,
      readVersion: -1,
      pods: [],
    }));
  }

  /** The budgets selecting pods of template `t`. */
  ofTemplate(t: number): readonly number[] {
    let m = this.byTemplate[t];
    if (m === undefined) {
      const d = this.templateSpecs[t]!;
      m = this.matching(d);
      this.byTemplate[t] = m;
    }
    return m;
  }

  /** The budgets selecting pods stamped from manifest `d`. */
  matching(d: DeploymentSpec): number[] {
    const out: number[] = [];
    for (const b of this.budgets) if (pdbSelects(b.spec, d.namespace, d.pod.labels)) out.push(b.idx);
    return out;
  }

  /** Marks pod `p` disrupted (or not). */
  setDisrupted(p: number, v: 0 | 1): void {
    if (p >= this.disrupted.length) {
      const grown = new Uint8Array(Math.max(p + 1, this.disrupted.length * 2));
      grown.set(this.disrupted);
      this.disrupted = grown;
    }
    this.disrupted[p] = v;
  }

  isDisrupted(p: number): boolean {
    return p < this.disrupted.length && this.disrupted[p] === 1;
  }
}
