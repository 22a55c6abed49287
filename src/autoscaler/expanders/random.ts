import type { Rng } from "../../core/random.js";
import type { ScaleUpOption } from "./option.js";

/**
 * The random expander, and the fallback that breaks every other expander's ties.
 * model: expander/random/random.go BestOption: rand.Intn(len(options)) over the options.
 */
export function randomOption(options: readonly ScaleUpOption[], rng: Rng): ScaleUpOption | undefined {
  if (options.length === 0) return undefined;
  return options[Math.floor(rng.next() * options.length)];
}
