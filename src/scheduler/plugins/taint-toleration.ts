import { TaintEffect } from "../../cluster/node-table.js";
import type { CycleState } from "../cycle-state.js";
import { ClusterEvent, type EnqueueExtensions, type FilterPlugin, type Handle, type PodRef, type PreScorePlugin, type Rejections, type ScorePlugin } from "../plugin.js";
import type { Toleration } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";
import { defaultNormalizeScore, MAX_NODE_SCORE, taintText, tolerates, untoleratedTaint } from "./helper.js";

const PRE_SCORE_KEY = "PreScoreTaintToleration";

/**
 * TaintToleration. Filter: a node with a NoSchedule / NoExecute taint the pod does not tolerate
 * is UnschedulableAndUnresolvable. Score: the number of PreferNoSchedule taints not tolerated by
 * the pod's tolerations with an empty or PreferNoSchedule effect, normalized reversed (fewer is
 * better). model: plugins/tainttoleration/taint_toleration.go.
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = "TaintToleration";
  index = -1;
  readonly normalizes = true;
  private readonly cache: SchedulerCache;
  /** Whether any node has a PreferNoSchedule taint (node taints do not change during a run). */
  private readonly anyPreferTaint: boolean;

  constructor(h: Handle) {
    this.cache = h.cache;
    this.anyPreferTaint = h.cache.nodes.taintEffect.includes(TaintEffect.PreferNoSchedule);
  }

  filterNodes(_s: CycleState, pod: PodRef, cand: Int32Array, n: number, rj: Rejections): number {
    const nodes = this.cache.nodes;
    const ts = nodes.taintStart;
    const ready = nodes.ready;
    const tols = pod.spec.tolerations;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      // perf: an untainted Ready node passes without the taint scan.
      if ((ts[node] === ts[node + 1] && ready[node] !== 0) || untoleratedTaint(this.cache, tols, node) === -1) cand[k++] = node;
      else {
        rj.code[node] = Code.UnschedulableAndUnresolvable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(_s: CycleState, pod: PodRef, node: number): Status {
    const t = untoleratedTaint(this.cache, pod.spec.tolerations, node);
    if (t === -1) return SUCCESS;
    // model: taint_toleration.go errReason "node(s) had untolerated taint {key: value}" (v1.30-v1.33).
    return rejected(Code.UnschedulableAndUnresolvable, `node(s) had untolerated taint ${taintText(this.cache, t)}`);
  }

  preScore(state: CycleState, pod: PodRef): Status {
    // model: getAllTolerationPreferNoSchedule: tolerations with an empty or PreferNoSchedule effect.
    const prefer = pod.spec.tolerations.filter((t) => t.effect < 0 || t.effect === TaintEffect.PreferNoSchedule);
    state.write(PRE_SCORE_KEY, prefer);
    return SUCCESS;
  }

  score(state: CycleState, pod: PodRef, list: Int32Array, n: number, out: Float64Array): void | number {
    // perf: no PreferNoSchedule taint anywhere: every count is 0, which normalizes (reversed) to
    // MaxNodeScore on every node.
    if (!this.anyPreferTaint) return MAX_NODE_SCORE;
    const prefer = state.read<Toleration[]>(PRE_SCORE_KEY) ?? pod.spec.tolerations.filter((t) => t.effect < 0 || t.effect === TaintEffect.PreferNoSchedule);
    const nodes = this.cache.nodes;
    const ts = nodes.taintStart;
    const eff = nodes.taintEffect;
    for (let i = 0; i < n; i++) {
      const node = list[i]!;
      let count = 0;
      for (let t = ts[node]!, e = ts[node + 1]!; t < e; t++) {
        if (eff[t] === TaintEffect.PreferNoSchedule && !tolerates(prefer, nodes.taintKey[t]!, nodes.taintValue[t]!, TaintEffect.PreferNoSchedule)) count++;
      }
      out[i] = count;
    }
  }

  normalizeScore(_s: CycleState, _p: PodRef, _nodes: Int32Array, n: number, scores: Float64Array): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores, n);
  }

  isSchedulableAfter(event: ClusterEvent): boolean {
    return event === ClusterEvent.NodeChange;
  }
}
