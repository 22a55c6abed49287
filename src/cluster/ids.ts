/** Dense row index into the {@link NodeTable}. */
export type NodeIdx = number;
/** Dense row index into the {@link PodTable}. */
export type PodIdx = number;
/** No node: an unassigned pod. */
export const NO_NODE = -1;
