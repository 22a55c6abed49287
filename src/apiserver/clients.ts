import { TokenBucket } from "../sync/token-bucket.js";
import type { ClientIdentity } from "./flowcontrol/classify.js";

/**
 * The API clients of the cluster (kubectl, kube-controller-manager, kube-scheduler, each
 * kubelet), each with its own client-side token bucket as client-go gives it.
 * Ids are dense; names are for output only.
 */
export class ApiClients {
  readonly names: string[] = [];
  readonly identities: ClientIdentity[] = [];
  readonly limiters: TokenBucket[] = [];
  /**
   * Per client: the scenario key whose `qps` and `burst` set its limiter (e.g.
   * `controlPlane.controllerManager`), so a wait in it names the setting that controls it;
   * undefined for limits no scenario key sets.
   */
  readonly settings: (string | undefined)[] = [];
  /** Per client: a dense id of its user name (clients of one user share it). */
  readonly userIds: number[] = [];
  private readonly users = new Map<string, number>();

  /**
   * Registers a client by its user name (which is what API Priority and Fairness classifies
   * by) with its qps/burst, set by scenario key `setting` when one does, and returns its id.
   */
  add(name: string, qps: number, burst: number, setting?: string): number {
    this.names.push(name);
    this.settings.push(setting);
    this.identities.push(identityOf(name));
    this.limiters.push(new TokenBucket(qps, burst));
    let user = this.users.get(name);
    if (user === undefined) {
      user = this.users.size;
      this.users.set(name, user);
    }
    this.userIds.push(user);
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

/** Who a user name is, as the default FlowSchemas see it. */
export function identityOf(name: string): ClientIdentity {
  if (name.startsWith("system:node:")) return { kind: "kubelet", node: name.slice("system:node:".length) };
  if (name === "system:kube-controller-manager") return { kind: "kube-controller-manager" };
  if (name === "system:kube-scheduler") return { kind: "kube-scheduler" };
  const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(name);
  if (sa !== null) return { kind: "service-account", namespace: sa[1]!, name: sa[2]! };
  return { kind: "user", name };
}
