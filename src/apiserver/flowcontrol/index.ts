/**
 * API Priority and Fairness for the simulated kube-apiserver: the public surface of
 * src/apiserver/flowcontrol, exported by name.
 */
export {
  PriorityAndFairness,
  type AdmitResult,
  type ApfConfig,
  type ApfLevelStats,
} from "./priority-and-fairness.js";
export {
  classify,
  userInfoOf,
  matchesFlowSchema,
  DEFAULT_REQUEST,
  type ClientIdentity,
  type RequestAttributes,
  type Classification,
} from "./classify.js";
export {
  DEFAULT_PRIORITY_LEVELS,
  DEFAULT_FLOW_SCHEMAS,
  DEFAULT_MAX_REQUESTS_INFLIGHT,
  DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT,
  DEFAULT_REQUEST_TIMEOUT_NS,
  type PriorityLevelSpec,
  type QueuingSpec,
  type FlowSchemaSpec,
  type PolicyRuleSpec,
  type SubjectSpec,
  type ResourceRuleSpec,
  type NonResourceRuleSpec,
  type DistinguisherMethod,
} from "./bootstrap.js";
export {
  computeConcurrencyLimits,
  maxSeatsOf,
  MAXIMUM_SEATS_LIMIT,
  type ConcurrencyLimits,
} from "./concurrency-limits.js";
export { computeConcurrencyAllocation, type AllocationResult } from "./conc-alloc.js";
export { Dealer, requiredEntropyBits } from "./shuffle-sharding.js";
export { hashFlowId, foldHashForDeal } from "./flow-hash.js";
export { listSeats } from "./work-estimate.js";
