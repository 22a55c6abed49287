/**
 * A simulation component's lifecycle, after OMNeT++'s cSimpleModule (include/omnetpp/csimplemodule.h,
 * ccomponent.h): a component is built by its constructor (its own state, its dependencies passed
 * in, its event kinds registered), then goes through
 * 1. `initialize(stage)` for stage = 0 .. initStages - 1, stage by stage across all components,
 *    so that work in stage s may rely on every component's stages < s being done;
 * 2. `start()`: schedules the component's first events, in assembly order (the order of events
 *    at the same instant follows it);
 * 3. `finish()`: end-of-run accounting, after the engine returned.
 * Every step is optional.
 */
export interface Component {
  /** The component's name, for errors. */
  readonly name: string;
  /** How many initialize stages the component takes part in (default 1 when it has `initialize`). */
  readonly initStages?: number;
  initialize?(stage: number): void;
  start?(): void;
  finish?(): void;
}

/**
 * The components of one run, in assembly order, and their lifecycle. The assembly point adds
 * each component once it is built and runs the stages in order: {@link initialize} and
 * {@link start} once before the engine runs, {@link finish} once after.
 */
export class Lifecycle {
  private readonly components: Component[] = [];
  private phase: "assembling" | "started" | "finished" = "assembling";

  /** Adds a built component; returns it. Components are initialized and started in this order. */
  add<C extends Component>(c: C): C {
    if (this.phase !== "assembling") throw new Error(`lifecycle: ${c.name} added after start`);
    this.components.push(c);
    return c;
  }

  /** Runs every initialize stage (stage-major), then every start. */
  initializeAndStart(): void {
    if (this.phase !== "assembling") throw new Error("lifecycle: started twice");
    const cs = this.components;
    let stages = 0;
    for (const c of cs) if (c.initialize !== undefined) stages = Math.max(stages, c.initStages ?? 1);
    for (let s = 0; s < stages; s++) for (const c of cs) if (s < (c.initStages ?? 1)) c.initialize?.(s);
    for (const c of cs) c.start?.();
    this.phase = "started";
  }

  /** Runs every finish, once. */
  finish(): void {
    if (this.phase !== "started") return;
    for (const c of this.components) c.finish?.();
    this.phase = "finished";
  }
}
