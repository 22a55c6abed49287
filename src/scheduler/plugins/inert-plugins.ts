import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { FILTER_SCORE_POINTS, PER_NODE_SCORES } from "../plugin.js";
import { SKIP, SUCCESS, type Status } from "../status.js";

/**
 * Upstream plugins that act only on volumes, resource claims or scheduling gates, none of which
 * simctl pods carry: for such pods upstream's PreFilter / PreScore answer Skip, which is what
 * these do. They exist so that a real KubeSchedulerConfiguration naming them loads.
 * model: VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone, DynamicResources and
 * SchedulingGates in pkg/scheduler/framework/plugins.
 */
export const INERT_PLUGIN_NAMES = [
  "SchedulingGates",
  "VolumeRestrictions",
  "NodeVolumeLimits",
  "VolumeBinding",
  "VolumeZone",
  "DynamicResources",
  "EBSLimits",
  "GCEPDLimits",
  "AzureDiskLimits",
] as const;

/** One inert plugin; see {@link INERT_PLUGIN_NAMES}. */
export class InertPlugin implements fw.PreFilterPlugin, fw.FilterPlugin, fw.PreScorePlugin, fw.ScorePlugin {
  static readonly points: readonly fw.PointsOf<InertPlugin>[] = FILTER_SCORE_POINTS;
  readonly name: string;
  index = -1;
  readonly normalizes = false;
  readonly alwaysSkips = true;

  constructor(name: string) {
    this.name = name;
  }

  preFilter(): Status {
    return SKIP;
  }

  filterNodes(_s: CycleState, _p: fw.PodRef, _c: Int32Array, n: number, _rj: fw.Rejections): number {
    return n;
  }

  filter(): Status {
    return SUCCESS;
  }

  preScore(): Status {
    return SKIP;
  }

  score(_s: CycleState, _p: fw.PodRef, _nodes: Int32Array, n: number, out: Float64Array): number {
    out.fill(0, 0, n);
    return PER_NODE_SCORES;
  }

  normalizeScore(): void {}
}
