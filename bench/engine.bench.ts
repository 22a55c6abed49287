import { Bench } from "tinybench";
import { type CaseResult, median } from "./gate.js";
import { Engine, type EventKind } from "../src/core/engine.js";
import { RandomStreams } from "../src/core/random.js";

/**
 * The classic hold model: `pending` events in the queue; each event, when it fires, schedules
 * one more at now + an exponential increment (mean 1 ms, seed 1), so the queue size stays
 * constant. One task iteration fires `HOLDS` events through the full Engine (pop, clock,
 * dispatch, push), and the same events through a flat binary heap, the in-run baseline.
 */
const HOLDS = 100_000;

/** The hold model's increments, precomputed so the random generator stays out of the measured path. */
export function holdIncrements(): Float64Array {
  const rng = new RandomStreams(1).stream("hold");
  const incs = new Float64Array(1 << 16);
  for (let i = 0; i < incs.length; i++) incs[i] = Math.round(-1e6 * Math.log(1 - rng.next()));
  return incs;
}

/** An engine holding `pending` events of the hold model, each scheduling its successor when it fires. */
export function holdEngine(pending: number, incs: Float64Array): { engine: Engine; kind: EventKind } {
  const engine = new Engine(pending * 2);
  let j = 0;
  const kind = engine.register("hold", () => {
    engine.schedule(incs[j++ & 0xffff]!, kind);
  });
  for (let i = 0; i < pending; i++) engine.schedule(incs[i & 0xffff]!, kind);
  return { engine, kind };
}

/**
 * The baseline: the simplest good flat heap, holding the same events in the same (time, seq)
 * order as the engine. Parallel typed arrays of time and slot, seq per slot; pop-and-push is
 * fused into one sift-down from the root (the popped slot, re-stamped, goes back in). No pool,
 * clock or dispatch: what the engine pays for those is part of what it must beat.
 */
export class FlatHoldHeap {
  private readonly ht: Float64Array;
  private readonly hs: Int32Array;
  private readonly seq: Float64Array;
  private nextSeq = 0;
  private j = 0;
  private readonly n: number;
  private readonly incs: Float64Array;
  /** Time of the last event fired. */
  now = 0;

  constructor(pending: number, incs: Float64Array) {
    this.n = pending;
    this.incs = incs;
    this.ht = new Float64Array(pending);
    this.hs = new Int32Array(pending);
    this.seq = new Float64Array(pending);
    for (let i = 0; i < pending; i++) this.push(i, incs[i & 0xffff]!);
  }

  private push(slot: number, t: number): void {
    const { ht, hs, seq } = this;
    const q = this.nextSeq++;
    seq[slot] = q;
    let i = slot; // slots are pushed in order 0, 1, ...: slot i is heap position i
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = ht[p]!;
      if (tp < t || (tp === t && seq[hs[p]!]! < q)) break;
      ht[i] = tp;
      hs[i] = hs[p]!;
      i = p;
    }
    ht[i] = t;
    hs[i] = slot;
  }

  /** Fires the earliest event and schedules its successor at now + the next increment. */
  hold(): void {
    const { ht, hs, seq, n } = this;
    const now = ht[0]!;
    this.now = now;
    const s = hs[0]!;
    const t = now + this.incs[this.j++ & 0xffff]!;
    const q = this.nextSeq++;
    seq[s] = q;
    const half = n >> 1;
    let i = 0;
    while (i < half) {
      let c = 2 * i + 1;
      let tc = ht[c]!;
      const r = c + 1;
      if (r < n) {
        const tr = ht[r]!;
        if (tr < tc || (tr === tc && seq[hs[r]!]! < seq[hs[c]!]!)) {
          c = r;
          tc = tr;
        }
      }
      if (t < tc || (t === tc && q < seq[hs[c]!]!)) break;
      ht[i] = tc;
      hs[i] = hs[c]!;
      i = c;
    }
    ht[i] = t;
    hs[i] = s;
  }
}

/** Pending-event counts of the hold-model cases. */
export const HOLD_SIZES = [1e3, 1e5, 1e6] as const;

const exp = (pending: number): string => pending.toExponential(0).replace("+", "");

/** Case name of the hold model at `pending` events, e.g. `engine hold 1e5 pending`. */
export function holdCaseName(pending: number): string {
  return `engine hold ${exp(pending)} pending`;
}

/** Case name of the flat-heap baseline at `pending` events, e.g. `flat binary heap hold 1e5 pending`. */
export function heapCaseName(pending: number): string {
  return `flat binary heap hold ${exp(pending)} pending`;
}

/**
 * Engine hold-model cases at 1e3, 1e5 and 1e6 pending events, each followed by the flat-heap
 * baseline at the same size; one iteration = {@link EVENTS_PER_ITERATION} events.
 */
export function engineBench(): Bench {
  const bench = new Bench({ name: "engine hold model", time: 1500, warmup: true });
  const incs = holdIncrements();
  for (const pending of HOLD_SIZES) {
    const { engine } = holdEngine(pending, incs);
    bench.add(holdCaseName(pending), () => {
      for (let i = 0; i < HOLDS; i++) engine.step();
    });
    const heap = new FlatHoldHeap(pending, incs);
    bench.add(heapCaseName(pending), () => {
      for (let i = 0; i < HOLDS; i++) heap.hold();
    });
  }
  return bench;
}

/** Events per task iteration (events/s = EVENTS_PER_ITERATION / mean seconds). */
export const EVENTS_PER_ITERATION = HOLDS;

/**
 * The figures of an engine or heap case: M events/s, and for an engine case whose baseline ran
 * in the same suite, `ratioToFlatHeap`: the engine's events/s over the flat heap's (>= 1: the
 * engine is at least as fast; issue 18's target at 1e6 pending).
 */
export function engineInfo(name: string, cases: readonly CaseResult[]): (ms: number) => Record<string, number> {
  const pending = HOLD_SIZES.find((p) => holdCaseName(p) === name);
  const heap = pending === undefined ? undefined : cases.find((c) => c.name === heapCaseName(pending));
  return (ms) => ({
    "M events/s": Number(((EVENTS_PER_ITERATION / ms) * 1e-3).toPrecision(4)),
    ...(heap === undefined ? {} : { ratioToFlatHeap: Number((median(heap.samples) / ms).toPrecision(3)) }),
  });
}
