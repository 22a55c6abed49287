import { Bench } from "tinybench";
import { Engine, type EventKind } from "../src/core/engine.js";
import { RandomStreams } from "../src/core/random.js";

/**
 * The classic hold model: `pending` events in the queue; each event, when it fires, schedules
 * one more at now + an exponential increment, so the queue size stays constant. One task
 * iteration fires `HOLDS` events through the full Engine (pop, clock, dispatch, push).
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

/** Engine hold-model cases at 1e3, 1e5 and 1e6 pending events; result is events/s. */
export function engineBench(): Bench {
  const bench = new Bench({ name: "engine hold model", time: 1500, warmup: true });
  for (const pending of [1e3, 1e5, 1e6]) {
    const { engine } = holdEngine(pending);
    bench.add(`engine hold, ${pending.toExponential(0)} pending (${HOLDS} events/iteration)`, () => {
      for (let i = 0; i < HOLDS; i++) engine.step();
    });
  }
  return bench;
}

/** Events per second implied by a task's mean latency. */
export const EVENTS_PER_ITERATION = HOLDS;
