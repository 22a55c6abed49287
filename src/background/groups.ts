import type { ApiServer } from "../apiserver/api-server.js";
import type { Resource, Verb } from "../apiserver/request-table.js";
import type { EventKind } from "../core/engine.js";

/**
 * The members of aggregates in flight: each aggregate request of a background stream carries a
 * group id as its reply target, and the group's member ids (nodes) wait here for the answer.
 */
export class Groups {
  private readonly members = new Map<number, Int32Array>();
  private nextId = 0;

  /**
   * Splits `ids` by the API server replica their clients reach (`clientOf[id] % replicas`, as a
   * client keeps one connection) and submits one aggregate per replica.
   * model: the requests of an aggregate reach the replica their own clients would reach.
   */
  submit(
    api: ApiServer,
    ids: readonly number[],
    clientOf: Int32Array,
    verb: Verb,
    resource: Resource,
    bytes: number,
    replyKind: EventKind,
  ): void {
    const replicas = api.cpus.length;
    if (replicas === 1) {
      // perf: one replica takes them all, in one copy.
      const group = Int32Array.from(ids);
      const id = this.nextId++;
      this.members.set(id, group);
      api.submitGroup(clientOf[group[0]!]!, verb, resource, group.length, bytes, replyKind, id);
      return;
    }
    for (let r = 0; r < replicas; r++) {
      let k = 0;
      for (let i = 0; i < ids.length; i++) if (clientOf[ids[i]!]! % replicas === r) k++;
      if (k === 0) continue;
      const group = new Int32Array(k);
      k = 0;
      for (let i = 0; i < ids.length; i++) if (clientOf[ids[i]!]! % replicas === r) group[k++] = ids[i]!;
      const id = this.nextId++;
      this.members.set(id, group);
      api.submitGroup(clientOf[group[0]!]!, verb, resource, k, bytes, replyKind, id);
    }
  }

  /** The members of answered group `id`, removed from the registry. */
  take(id: number): Int32Array {
    const g = this.members.get(id);
    if (g === undefined) throw new RangeError(`background: no group ${id}`);
    this.members.delete(id);
    return g;
  }
}
