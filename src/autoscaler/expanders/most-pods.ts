import { lowest, type ScaleUpOption } from "./option.js";

/**
 * model: expander/mostpods/mostpods.go: the options that schedule the most pending pods.
 */
export function mostPods(options: readonly ScaleUpOption[]): ScaleUpOption[] {
  return lowest(options, (o) => -o.pods.length);
}
