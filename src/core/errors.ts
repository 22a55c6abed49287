/**
 * Raised when the simulation reaches a state the models say is impossible. It carries the
 * simulated time and the component, so a failure can be located in the run.
 */
export class SimulationError extends Error {
  override readonly name = "SimulationError";
  readonly component: string;
  readonly timeNs: number;

  constructor(component: string, timeNs: number, message: string) {
    super(`[${component} @ ${timeNs} ns] ${message}`);
    this.component = component;
    this.timeNs = timeNs;
  }
}
