import { TaintEffect } from "../../cluster/node-table.js";
import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin, ClusterEvent, NodeChange, type NodeEventRef, PER_NODE_SCORES } from "../plugin.js";
import type { PodSpec, Toleration } from "../pod-spec.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";
import {
  byteColumn,
  bytesAllEqual,
  contiguousRun,
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  taintText,
  tolerates,
  untoleratedTaint,
  type ByteColumn,
} from "./helper.js";

const PRE_SCORE_KEY = "PreScoreTaintToleration";

/**
 * TaintToleration. Filter: a node with a NoSchedule / NoExecute taint the pod does not tolerate
 * is UnschedulableAndUnresolvable. Score: the number of PreferNoSchedule taints not tolerated by
 * the pod's tolerations with an empty or PreferNoSchedule effect, normalized reversed (fewer is
 * better). model: plugins/tainttoleration/taint_toleration.go.
 */
export class TaintToleration
  extends CachePlugin
  implements fw.FilterPlugin, fw.PreScorePlugin, fw.ScorePlugin, fw.EnqueueExtensions
{
  static readonly points: readonly fw.PointsOf<TaintToleration>[] = ["filter", "preScore", "score"];
  readonly name = "TaintToleration";
  readonly normalizes = true;
  /** Whether any node has a PreferNoSchedule taint (node taints do not change during a run). */
  private readonly anyPreferTaint: boolean;

  /**
   * Per pod group: whether the pod tolerates each node's taints (see toleratedOf), and whether
   * it tolerates those of every node.
   */
  private readonly tolerated: ({ spec: PodSpec; ok: Uint8Array; all: boolean } | undefined)[] = [];
  /** The NodeTable's ready column, with a word view for whole-run checks. */
  private readonly readyColumn: ByteColumn;

  constructor(h: fw.Handle) {
    super(h);
    this.readyColumn = byteColumn(h.cache.nodes.ready);
    this.anyPreferTaint = h.cache.nodes.taintEffect.includes(TaintEffect.PreferNoSchedule);
  }

  filterNodes(_s: CycleState, pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    const nodes = this.cache.nodes;
    const ts = nodes.taintStart;
    const ready = nodes.ready;
    const tols = pod.spec.tolerations;
    // perf: a run of untainted Ready nodes passes whole: no taint in the run's CSR span, and the
    // ready bytes checked a word at a time.
    if (
      contiguousRun(cand, n) &&
      ts[cand[0]!] === ts[cand[0]! + n] &&
      bytesAllEqual(this.readyColumn, cand[0]!, cand[0]! + n, 1)
    )
      return n;
    // perf: whether the pod tolerates each node's own taints is decided once per pod group (node
    // taints do not change); the node's Ready state, which does, is read here. A node passes when
    // it tolerates its taints and is Ready or the pod tolerates the not-ready taint, which is
    // exactly when untoleratedTaint finds nothing.
    const e = this.toleratedOf(pod);
    const notReadyOk = tolerates(tols, this.cache.notReadyTaintKey, -1, TaintEffect.NoSchedule) ? 1 : 0;
    // perf: a pod that tolerates every node's taints passes a run of Ready nodes whole (or any
    // run when it tolerates the not-ready taint too).
    if (
      e.all &&
      (notReadyOk === 1 || (contiguousRun(cand, n) && bytesAllEqual(this.readyColumn, cand[0]!, cand[0]! + n, 1)))
    )
      return n;
    const ok = e.ok;
    return filterTaints(cand, n, ok, ready, notReadyOk, rj.code, rj.plugin, rj.current);
  }

  /** Per node, 1 when the pod tolerates every NoSchedule / NoExecute taint of the node (per group), and whether every node has 1. */
  private toleratedOf(pod: fw.PodRef): { ok: Uint8Array; all: boolean } {
    const g = pod.group;
    let e = this.tolerated[g];
    if (e === undefined || e.spec !== pod.spec) {
      const nodes = this.cache.nodes;
      const ok = new Uint8Array(nodes.size);
      let all = true;
      const tols = pod.spec.tolerations;
      const ts = nodes.taintStart;
      const eff = nodes.taintEffect;
      for (let node = 0; node < nodes.size; node++) {
        let pass = 1;
        for (let t = ts[node]!, end = ts[node + 1]!; t < end; t++) {
          const effect = eff[t]!;
          if (
            effect !== TaintEffect.PreferNoSchedule &&
            !tolerates(tols, nodes.taintKey[t]!, nodes.taintValue[t]!, effect)
          )
            pass = 0;
        }
        ok[node] = pass;
        if (pass === 0) all = false;
      }
      e = { spec: pod.spec, ok, all };
      if (g >= 0) this.tolerated[g] = e;
    }
    return e;
  }

  filter(_s: CycleState, pod: fw.PodRef, node: number): Status {
    const t = untoleratedTaint(this.cache, pod.spec.tolerations, node);
    if (t === -1) return SUCCESS;
    // model: taint_toleration.go errReason "node(s) had untolerated taint {key: value}" (v1.30-v1.33).
    return rejected(Code.UnschedulableAndUnresolvable, `node(s) had untolerated taint ${taintText(this.cache, t)}`);
  }

  preScore(state: CycleState, pod: fw.PodRef): Status {
    // perf: nothing to compute when no node has a PreferNoSchedule taint (Score is constant).
    if (!this.anyPreferTaint) return SUCCESS;
    // model: getAllTolerationPreferNoSchedule: tolerations with an empty or PreferNoSchedule effect.
    const prefer = pod.spec.tolerations.filter((t) => t.effect < 0 || t.effect === TaintEffect.PreferNoSchedule);
    state.write(PRE_SCORE_KEY, prefer);
    return SUCCESS;
  }

  score(state: CycleState, pod: fw.PodRef, list: Int32Array, n: number, out: Float64Array): number {
    // perf: no PreferNoSchedule taint anywhere: every count is 0, which normalizes (reversed) to
    // MaxNodeScore on every node.
    if (!this.anyPreferTaint) return MAX_NODE_SCORE;
    const prefer =
      state.read<Toleration[]>(PRE_SCORE_KEY) ??
      pod.spec.tolerations.filter((t) => t.effect < 0 || t.effect === TaintEffect.PreferNoSchedule);
    const nodes = this.cache.nodes;
    const ts = nodes.taintStart;
    const eff = nodes.taintEffect;
    for (let i = 0; i < n; i++) {
      const node = list[i]!;
      let count = 0;
      for (let t = ts[node]!, e = ts[node + 1]!; t < e; t++) {
        if (
          eff[t] === TaintEffect.PreferNoSchedule &&
          !tolerates(prefer, nodes.taintKey[t]!, nodes.taintValue[t]!, TaintEffect.PreferNoSchedule)
        )
          count++;
      }
      out[i] = count;
    }
    return PER_NODE_SCORES;
  }

  normalizeScore(_s: CycleState, _p: fw.PodRef, _nodes: Int32Array, n: number, scores: Float64Array): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores, n);
  }

  /** Score + reversed normalization + weighting (scores in [0, 100]); constant with no PreferNoSchedule taint. */
  scoreInto(
    state: CycleState,
    pod: fw.PodRef,
    list: Int32Array,
    n: number,
    totals: Float64Array,
    w: number,
    scratch: Float64Array,
  ): number {
    if (!this.anyPreferTaint) return MAX_NODE_SCORE;
    this.score(state, pod, list, n, scratch);
    defaultNormalizeScore(MAX_NODE_SCORE, true, scratch, n);
    for (let i = 0; i < n; i++) totals[i]! += scratch[i]! * w;
    return PER_NODE_SCORES;
  }

  /**
   * model: taint_toleration.go isSchedulableAfterNodeChange: Node/Add or UpdateNodeTaint queues
   * the pod when it tolerates the node's taints now and did not before: here a node added, or
   * one whose not-ready taint went (became Ready); a taint added (NotReady) or a cordon never
   * helps. (approximation) an added node's taints are not checked against the pod's tolerations.
   */
  isSchedulableAfter(event: ClusterEvent, _p: fw.PodRef, _o: PodSpec | null, node: NodeEventRef | null): boolean {
    if (event !== ClusterEvent.NodeChange || node === null) return false;
    return (node.change & (NodeChange.added | NodeChange.becameReady)) !== 0;
  }
}

/**
 * The TaintToleration Filter over cand[0..n): a node passes when ok[node] (its taints tolerated)
 * and it is Ready or notReadyOk; the others are UnschedulableAndUnresolvable.
 * perf: a module function over typed arrays; a read-only scan to the first rejected node, then
 * the compacting loop from there.
 */
function filterTaints(
  cand: Int32Array,
  n: number,
  ok: Uint8Array,
  ready: Uint8Array,
  notReadyOk: number,
  code: Uint8Array,
  plug: Int16Array,
  cur: number,
): number {
  let i = 0;
  for (; i < n; i++) {
    const node = cand[i]!;
    if (ok[node] === 0 || (ready[node] === 0 && notReadyOk === 0)) break;
  }
  let k = i;
  for (; i < n; i++) {
    const node = cand[i]!;
    if (ok[node] !== 0 && (ready[node] !== 0 || notReadyOk !== 0)) cand[k++] = node;
    else {
      code[node] = 3; // Code.UnschedulableAndUnresolvable
      plug[node] = cur;
    }
  }
  return k;
}
