import { lowest, type ScaleUpOption } from "./option.js";

/**
 * The price expander, simplified: the options whose new nodes cost the least per pod they hold
 * (nodeCount x costPerHour / pods). model: expander/price/price.go scores an option by the
 * price of its nodes over the price of its pods' requests (both from the cloud provider's
 * pricing model), times the unfitness of its node shape against a preferred node; here the
 * pods' price is their count and the preferred-node term is not modelled.
 */
export function cheapest(options: readonly ScaleUpOption[]): ScaleUpOption[] {
  return lowest(options, (o) => (o.nodeCount * o.group.costPerHour) / o.pods.length);
}
