import { TokenBucket } from "../sync/token-bucket.js";

/**
 * The API clients of the cluster (kubectl, kube-controller-manager, kube-scheduler, each
 * kubelet), each with its own client-side token bucket as client-go gives it.
 * Ids are dense; names are for output only.
 */
export class ApiClients {
  readonly names: string[] = [];
  readonly limiters: TokenBucket[] = [];

  /** Registers a client with its qps/burst and returns its id. */
  add(name: string, qps: number, burst: number): number {
    this.names.push(name);
    this.limiters.push(new TokenBucket(qps, burst));
    return this.names.length - 1;
  }

  get size(): number {
    return this.names.length;
  }
}

/**
 * model: client-go rest/config.go DefaultQPS = 5, DefaultBurst = 10: kubectl and any client
 * that does not set its own limits.
 */
export const CLIENT_GO_DEFAULT = { qps: 5, burst: 10 } as const;
