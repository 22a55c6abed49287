import { columnTable } from "../core/column-table.js";
import type { PodTable } from "./pod-table.js";
import type { PodTemplate } from "./pod-template.js";

/** Per pod: the template's gates removed so far (bit i: gate i), and when the last went. */
const GateColumns = columnTable({
  removed: "Uint32",
  ungatedNs: { type: "Float64", unset: NaN },
});

/**
 * The pods' spec.schedulingGates as the API holds them (KEP-3521, pod scheduling readiness:
 * beta and on by default in v1.27, GA in v1.30). A pod is created with its template's gates;
 * a pod update may only remove gates, never add them (core/v1 validation). A pod with gates
 * left is not scheduled. Built only for runs whose templates have gates.
 */
export class PodGates {
  private readonly pods: PodTable;
  private readonly templates: readonly PodTemplate[];
  private readonly cols = new GateColumns(1024);

  constructor(pods: PodTable, templates: readonly PodTemplate[]) {
    this.pods = pods;
    this.templates = templates;
  }

  /** Bit mask of all of template `t`'s gates. */
  allOf(t: number): number {
    const n = this.templates[t]!.schedulingGates?.length ?? 0;
    return n === 32 ? 0xffffffff : (1 << n) - 1;
  }

  /** Whether `pod` still has a gate. */
  gated(pod: number): boolean {
    const all = this.allOf(this.pods.template[pod]!);
    if (all === 0) return false;
    return pod >= this.cols.capacity || (this.cols.removed[pod]! & all) >>> 0 !== all >>> 0;
  }

  /** The gates of `mask` are removed from `pod` now (a committed pod update). */
  remove(pod: number, mask: number, nowNs: number): void {
    const c = this.cols;
    c.ensureRow(pod);
    const was = this.gated(pod);
    c.removed[pod] = (c.removed[pod]! | mask) >>> 0;
    if (was && !this.gated(pod)) c.ungatedNs[pod] = nowNs;
  }

  /** When `pod`'s last gate was removed (NaN: never gated, or still gated). */
  ungatedNs(pod: number): number {
    return pod < this.cols.capacity ? this.cols.ungatedNs[pod]! : NaN;
  }
}
