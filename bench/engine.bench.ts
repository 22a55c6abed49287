import { Bench } from "tinybench";
import { Engine, type EventKind } from "../src/core/engine.js";
import { RandomStreams } from "../src/core/random.js";

/**
 * The classic hold model: `pending` events in the queue; each event, when it fires, schedules
 * one more at now + an exponential increment (mean 1 ms, seed 1), so the queue size stays
 * constant. One task iteration fires `HOLDS` events through the full Engine (pop, clock,
 * dispatch, push).
 */
const HOLDS = 100_000;

function holdEngine(pending: number): { engine: Engine; kind: EventKind } {
  const engine = new Engine(pending * 2);
  const rng = new RandomStreams(1).stream("hold");
  // Precomputed increments keep the random generator out of the measured path.
  const incs = new Float64Array(1 << 16);
  for (let i = 0; i < incs.length; i++) incs[i] = Math.round(-1e6 * Math.log(1 - rng.next()));
  let j = 0;
  const kind = engine.register("hold", () => {
    engine.schedule(incs[j++ & 0xffff]!, kind);
  });
  for (let i = 0; i < pending; i++) engine.schedule(incs[i & 0xffff]!, kind);
  return { engine, kind };
}

/** Pending-event counts of the hold-model cases. */
export const HOLD_SIZES = [1e3, 1e5, 1e6] as const;

/** Case name of the hold model at `pending` events, e.g. `engine hold 1e5 pending`. */
export function holdCaseName(pending: number): string {
  return `engine hold ${pending.toExponential(0).replace("+", "")} pending`;
}

/** Engine hold-model cases at 1e3, 1e5 and 1e6 pending events; one iteration = {@link EVENTS_PER_ITERATION} events. */
export function engineBench(): Bench {
  const bench = new Bench({ name: "engine hold model", time: 1500, warmup: true });
  for (const pending of HOLD_SIZES) {
    const { engine } = holdEngine(pending);
    bench.add(holdCaseName(pending), () => {
      for (let i = 0; i < HOLDS; i++) engine.step();
    });
  }
  return bench;
}

/** Events per task iteration (events/s = EVENTS_PER_ITERATION / mean seconds). */
export const EVENTS_PER_ITERATION = HOLDS;
