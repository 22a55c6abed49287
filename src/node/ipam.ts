import type { NodeIdx } from "../cluster/ids.js";

/**
 * Pod addresses host-local IPAM hands out from one IPv4 range covering a whole /`prefixLength`
 * subnet: all addresses minus the network address, the broadcast address and the gateway.
 * A /24 gives 253, a /28 gives 13.
 *
 * model: containernetworking/plugins plugins/ipam/host-local/backend/allocator/range.go
 * `Canonicalize`: RangeStart defaults to network+1, RangeEnd to `lastIP` (broadcast-1 for
 * IPv4), the gateway defaults to network+1 ("claim .1"); allocator.go `RangeIter.Next` skips the
 * gateway. A subnet with fewer than 2 host bits (/31, /32) is refused ("too small to allocate
 * from"). The kubelet's pods-per-node limit (110) stays below a /24's 253.
 */
export function hostLocalAssignable(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 30) {
    throw new RangeError(`pod CIDR /${prefixLength} is too small to allocate from (host-local needs /30 or larger)`);
  }
  return 2 ** (32 - prefixLength) - 3;
}

/**
 * host-local IPAM on every node, as free-address counts: CNI ADD allocates one address from the
 * node's pod CIDR, CNI DEL releases it. Which address is handed out (host-local goes round-robin
 * from the last reserved) does not affect timing, so only counts are kept.
 *
 * When a node's range is exhausted, `allocate` returns false; the CNI ADD fails with host-local's
 * "no IP addresses available in range set", RunPodSandbox fails, and the kubelet records
 * FailedCreatePodSandBox and retries the pod's sync later (the retry is the kubelet's business).
 *
 * Contract: `release` must match an earlier successful `allocate` on the same node.
 */
export class HostLocalIpam {
  readonly nodeCount: number;
  /** Assignable addresses per node. */
  readonly capacity: Int32Array;
  /** Free addresses per node; may be the NodeTable's `podCidrFree` column, kept in step. */
  readonly free: Int32Array;

  /**
   * @param prefixLength one pod CIDR prefix length for all nodes (24 gives a /24), or one per node.
   * @param freeColumn optional storage for the free counts (e.g. `NodeTable.podCidrFree`); it is
   *   overwritten with the full capacity.
   */
  constructor(nodeCount: number, prefixLength: number | ArrayLike<number> = 24, freeColumn?: Int32Array) {
    this.nodeCount = nodeCount;
    this.capacity = new Int32Array(nodeCount);
    if (freeColumn !== undefined && freeColumn.length < nodeCount) {
      throw new RangeError(`free column has ${freeColumn.length} rows for ${nodeCount} nodes`);
    }
    this.free = freeColumn ?? new Int32Array(nodeCount);
    for (let n = 0; n < nodeCount; n++) {
      const p = typeof prefixLength === "number" ? prefixLength : prefixLength[n];
      if (p === undefined) throw new RangeError(`no pod CIDR prefix length for node ${n}`);
      const c = hostLocalAssignable(p);
      this.capacity[n] = c;
      this.free[n] = c;
    }
  }

  /** CNI ADD's IPAM step: takes an address on `node`; false when the range is exhausted. */
  allocate(node: NodeIdx): boolean {
    const f = this.free[node]!;
    if (f <= 0) return false;
    this.free[node] = f - 1;
    return true;
  }

  /** CNI DEL's IPAM step: returns an address on `node`. */
  release(node: NodeIdx): void {
    const f = this.free[node]!;
    if (f >= this.capacity[node]!) throw new RangeError(`release on node ${node} with no address allocated`);
    this.free[node] = f + 1;
  }

  /** Addresses in use on `node`. */
  used(node: NodeIdx): number {
    return this.capacity[node]! - this.free[node]!;
  }
}
