import type { Rng } from "../core/random.js";
import type { ClusterAutoscalerSpec } from "../scenario/sections/cluster-autoscaler.js";
import { leastWaste } from "./expanders/least-waste.js";
import { mostPods } from "./expanders/most-pods.js";
import type { ScaleUpOption } from "./expanders/option.js";
import { cheapest } from "./expanders/price.js";
import { byPriority } from "./expanders/priority.js";
import { randomOption } from "./expanders/random.js";

/**
 * Picks the scale-up option: the configured expander's best options, ties broken at random.
 * model: expander/factory/expander_factory.go chains the strategy with the random fallback.
 */
export function chooseOption(
  options: readonly ScaleUpOption[],
  spec: ClusterAutoscalerSpec,
  rng: Rng,
): ScaleUpOption | undefined {
  switch (spec.expander) {
    case "random":
      return randomOption(options, rng);
    case "most-pods":
      return randomOption(mostPods(options), rng);
    case "least-waste":
      return randomOption(leastWaste(options), rng);
    case "priority":
      return randomOption(byPriority(options, spec.priorities), rng);
    case "price":
      return randomOption(cheapest(options), rng);
  }
}
