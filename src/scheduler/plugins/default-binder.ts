import type { CycleState } from "../cycle-state.js";
import type { BindPlugin, Binder, PodRef, PointsOf } from "../plugin.js";
import { SUCCESS, type Status } from "../status.js";

/**
 * DefaultBinder: binds by creating the pod's `binding` subresource through the API (in a run,
 * an asynchronous pods/binding request on the scheduler's rate-limited client).
 * model: plugins/defaultbinder/default_binder.go.
 */
export class DefaultBinder implements BindPlugin {
  static readonly points: readonly PointsOf<DefaultBinder>[] = ["bind"];
  readonly name = "DefaultBinder";
  index = -1;

  bind(_s: CycleState, pod: PodRef, node: number, binder: Binder): Status {
    binder.bindThroughApi(pod, node);
    return SUCCESS;
  }
}
