import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin, ClusterEvent, FILTER_SCORE_POINTS, NodeChange, PER_NODE_SCORES } from "../plugin.js";
import {
  compilePodSpec,
  nodeConstraintsInput,
  readerFor,
  type NodeSelectorTerm,
  type PodSpec,
  type WeightedNodeTerm,
} from "../pod-spec.js";
import { Code, rejected, SKIP, SUCCESS, type Status } from "../status.js";
import {
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  requiredAffinityCache,
  termMatches,
  type RequiredAffinityCache,
} from "./helper.js";
import { argsObject } from "./simple-args.js";

/** model: plugins/nodeaffinity/node_affinity.go ErrReasonPod, errReasonEnforced, errReasonConflict. */
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

const PRE_FILTER_KEY = "PreFilterNodeAffinity";

/**
 * NodeAffinity. Filter: the pod's nodeSelector and required node affinity terms (and the
 * profile's addedAffinity) must match the node, else UnschedulableAndUnresolvable; PreFilter
 * narrows the nodes to those named by `metadata.name In` matchFields. Score: the sum of weights
 * of matching preferred terms, normalized by the maximum. model: plugins/nodeaffinity.
 */
export class NodeAffinity extends CachePlugin implements fw.FilterScorePlugin {
  static readonly points: readonly fw.PointsOf<NodeAffinity>[] = FILTER_SCORE_POINTS;
  readonly name = "NodeAffinity";
  readonly normalizes = true;
  private readonly required: RequiredAffinityCache;
  /** args.addedAffinity, compiled as a pod spec. */
  private readonly added: PodSpec | null;
  private addedMatch: Uint8Array | null = null;
  private readonly preferredCache: (Float64Array | undefined)[] = [];

  constructor(h: fw.Handle, args: YamlReader | null) {
    super(h);
    this.required = requiredAffinityCache(h.cache);
    const a = argsObject(args, ["addedAffinity"]);
    const added = a?.get("addedAffinity");
    if (added?.present) {
      this.added = compilePodSpec(
        nodeConstraintsInput("addedAffinity", new Map(), readerFor(undefined, "", ""), wrapAffinity(added)),
        h.cache.labels,
      );
    } else this.added = null;
  }

  private addedRequired(): Uint8Array | null {
    const a = this.added;
    if (a === null || a.requiredTerms === null) return null;
    if (this.addedMatch === null) {
      const n = this.cache.nodes.size;
      const m = new Uint8Array(n);
      for (let i = 0; i < n; i++) m[i] = a.requiredTerms.some((t) => termMatches(t, i, this.cache.index)) ? 1 : 0;
      this.addedMatch = m;
    }
    return this.addedMatch;
  }

  preFilter(state: CycleState, pod: fw.PodRef): Status {
    const s = pod.spec;
    if (s.requiredTerms === null && this.addedRequired() === null && s.nodeSelector.length === 0) return SKIP;
    state.write(PRE_FILTER_KEY, this.required.of(pod.group, s));
    const terms = s.requiredTerms;
    if (terms === null || terms.length === 0) return SUCCESS;
    // model: PreFilter returns the nodes named by `metadata.name In` matchFields of every term.
    const names = nodeNamesOf(terms);
    if (names === undefined) return SUCCESS;
    if (names.size === 0) return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_CONFLICT);
    const idx: number[] = [];
    for (const nm of names) {
      const i = this.cache.index.nodeByName.get(nm);
      if (i !== undefined) idx.push(i);
    }
    idx.sort((a, b) => a - b);
    state.restrictNodes(Int32Array.from(idx), this.name);
    return SUCCESS;
  }

  private matchOf(state: CycleState, pod: fw.PodRef): Uint8Array {
    return state.read<Uint8Array>(PRE_FILTER_KEY) ?? this.required.of(pod.group, pod.spec);
  }

  filterNodes(state: CycleState, pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    const m = this.matchOf(state, pod);
    const added = this.addedRequired();
    // perf: a required affinity that matches every node row passes every candidate, no scan.
    if (added === null && this.required.matchesEverywhere(pod.group, pod.spec)) return n;
    // perf: without addedAffinity, a read-only scan to the first node that does not match.
    let i = 0;
    if (added === null) for (; i < n; i++) if (m[cand[i]!] !== 1) break;
    let k = i;
    for (; i < n; i++) {
      const node = cand[i]!;
      if (m[node] === 1 && (added === null || added[node] === 1)) cand[k++] = node;
      else {
        rj.code[node] = Code.UnschedulableAndUnresolvable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(state: CycleState, pod: fw.PodRef, node: number): Status {
    const added = this.addedRequired();
    if (added !== null && added[node] === 0) return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_ENFORCED);
    if (this.matchOf(state, pod)[node] === 0) return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_POD);
    return SUCCESS;
  }

  preScore(_s: CycleState, pod: fw.PodRef): Status {
    if (pod.spec.preferredTerms.length === 0 && (this.added === null || this.added.preferredTerms.length === 0))
      return SKIP;
    return SUCCESS;
  }

  /** Sum of the weights of the preferred terms that match each node (static per group). */
  private preferredOf(pod: fw.PodRef): Float64Array {
    let w = this.preferredCache[pod.group];
    if (w !== undefined) return w;
    const n = this.cache.nodes.size;
    w = new Float64Array(n);
    const terms: WeightedNodeTerm[] = [...(this.added?.preferredTerms ?? []), ...pod.spec.preferredTerms];
    for (const t of terms) {
      // model: NewPreferredSchedulingTerms skips zero-weight and empty terms.
      if (t.weight === 0) continue;
      for (let i = 0; i < n; i++) if (termMatches(t.term, i, this.cache.index)) w[i]! += t.weight;
    }
    this.preferredCache[pod.group] = w;
    return w;
  }

  score(_s: CycleState, pod: fw.PodRef, list: Int32Array, n: number, out: Float64Array): number {
    const w = this.preferredOf(pod);
    for (let i = 0; i < n; i++) out[i] = w[list[i]!]!;
    return PER_NODE_SCORES;
  }

  normalizeScore(_s: CycleState, _p: fw.PodRef, _nodes: Int32Array, n: number, scores: Float64Array): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores, n);
  }

  /**
   * model: node_affinity.go isSchedulableAfterNodeChange: Node/Add or UpdateNodeLabel queues the
   * pod when the node matches its required affinity (and the profile's addedAffinity); labels
   * never change in a run, so only an added node can.
   */
  isSchedulableAfter(event: ClusterEvent, pod: fw.PodRef, _o: PodSpec | null, node: fw.NodeEventRef | null): boolean {
    if (event !== ClusterEvent.NodeChange || node === null || (node.change & NodeChange.added) === 0) return false;
    const added = this.addedRequired();
    return this.required.of(pod.group, pod.spec)[node.node] === 1 && (added === null || added[node.node] === 1);
  }
}

/**
 * The node names a pod's required terms pin it to (union over terms of the intersection of each
 * term's `metadata.name In` fields), or undefined when some term names no node.
 */
function nodeNamesOf(terms: readonly NodeSelectorTerm[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const f of t.fields) {
      if (f.op !== 0) continue;
      const set = new Set<string>(f.names);
      termNames = termNames === undefined ? set : intersect(termNames, set);
    }
    if (termNames === undefined) return undefined;
    names = names === undefined ? termNames : new Set<string>([...names, ...termNames]);
  }
  return names;
}

function intersect(a: Set<string>, b: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

/** NodeAffinityArgs.addedAffinity is a core/v1 NodeAffinity; wrap it as a pod's affinity. */
function wrapAffinity(added: YamlReader): YamlReader {
  const value = { nodeAffinity: added.value() };
  return readerFor(value, added.ctx.file, added.path);
}
