/**
 * Per-cycle state shared by the plugins of one scheduling cycle, as upstream's CycleState:
 * plugins write what PreFilter / PreScore computed and read it in Filter / Score. Plugins that
 * PreFilter or PreScore answered `Skip` are marked so the framework does not run their Filter
 * or Score. model: pkg/scheduler/framework/cycle_state.go (SkipFilterPlugins, SkipScorePlugins).
 *
 * What one extension point computes for a later one of the same cycle lives only here. Buffers
 * that plugins keep on themselves are either scratch rewritten before each use within one call,
 * reusable storage that reaches the next extension point only through this state, or caches of
 * pure functions of a pod group's spec; each says which.
 */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Bit i set: the plugin with profile index i skips Filter this cycle. */
  skipFilterMask = 0;
  /** Bit i set: the plugin with profile index i skips Score this cycle. */
  skipScoreMask = 0;
  /**
   * Nodes a PreFilter plugin restricted the cycle to (upstream PreFilterResult.NodeNames), in
   * node-table order, or null for all nodes. Plugins that restrict it intersect with it.
   */
  nodeSubset: Int32Array | null = null;
  /** Names of the plugins that restricted nodeSubset (for the absent nodes' status). */
  readonly subsetPlugins: string[] = [];

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  /** Forgets everything, ready for the next cycle. */
  reset(): void {
    this.data.clear();
    this.skipFilterMask = 0;
    this.skipScoreMask = 0;
    this.nodeSubset = null;
    this.subsetPlugins.length = 0;
  }

  /** Restricts the cycle to `nodes` (sorted node indices), intersecting with any earlier restriction. */
  restrictNodes(nodes: Int32Array, plugin: string): void {
    this.subsetPlugins.push(plugin);
    if (this.nodeSubset === null) {
      this.nodeSubset = nodes;
      return;
    }
    const a = this.nodeSubset;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < nodes.length) {
      if (a[i]! < nodes[j]!) i++;
      else if (a[i]! > nodes[j]!) j++;
      else {
        out.push(a[i]!);
        i++;
        j++;
      }
    }
    this.nodeSubset = Int32Array.from(out);
  }
}
