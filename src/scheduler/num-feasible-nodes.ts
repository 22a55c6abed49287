/** model: pkg/scheduler/schedule_one.go minFeasibleNodesToFind = 100. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** model: pkg/scheduler/schedule_one.go minFeasibleNodesPercentageToFind = 5. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes a cycle looks for before it stops filtering, as upstream's
 * numFeasibleNodesToFind computes it (integer arithmetic as in Go's int32):
 * all nodes below 100; otherwise `percentage` of them (adaptive `50 - N/125`, at least 5, when
 * the configured percentage is 0), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}
