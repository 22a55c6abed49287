import type { PodGates } from "../../cluster/pod-gates.js";

/**
 * SchedulingGates, the PreEnqueue plugin (pkg/scheduler/framework/plugins/schedulinggates;
 * KEP-3521 pod scheduling readiness, GA in v1.30): a pod with spec.schedulingGates left is not
 * queued for scheduling: PreEnqueue answers UnschedulableAndUnresolvable ("waiting for
 * scheduling gates") and the queue keeps the pod aside as gated, where no cluster event or
 * flush moves it and it takes no cycle. The pod update that removes its last gate (the
 * plugin's queueing hint on Pod/UpdatePodSchedulingGatesEliminated) sends it to activeQ.
 * In upstream's default profile (MultiPoint); a configuration disabling it is not modelled.
 */
export class SchedulingGates {
  readonly name = "SchedulingGates";
  /** Pods PreEnqueue refused at least once, and those waiting now. */
  gatedPods = 0;
  waiting = 0;
  private readonly gates: PodGates;
  /** Pods kept aside as gated. Only looked up, never iterated. */
  private readonly parked = new Set<number>();

  constructor(gates: PodGates) {
    this.gates = gates;
  }

  /** PreEnqueue: whether `pod` may enter the scheduling queue now; a refused pod is kept aside. */
  preEnqueue(pod: number): boolean {
    if (!this.gates.gated(pod)) return true;
    if (!this.parked.has(pod)) {
      this.parked.add(pod);
      this.gatedPods++;
      this.waiting++;
    }
    return false;
  }

  /** On an update of a pod kept aside: whether its gates are gone (it leaves the gated pods: queue it). */
  released(pod: number): boolean {
    if (!this.parked.has(pod) || this.gates.gated(pod)) return false;
    this.parked.delete(pod);
    this.waiting--;
    return true;
  }

  /** A pod deleted while kept aside leaves the gated pods. */
  forget(pod: number): void {
    if (this.parked.delete(pod)) this.waiting--;
  }
}
