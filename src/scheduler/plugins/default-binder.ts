import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { SUCCESS, type Status } from "../status.js";

/**
 * DefaultBinder: binds by creating the pod's `binding` subresource through the API (in a run,
 * an asynchronous pods/binding request on the scheduler's rate-limited client).
 * model: plugins/defaultbinder/default_binder.go.
 */
export class DefaultBinder implements fw.BindPlugin {
  static readonly points: readonly fw.PointsOf<DefaultBinder>[] = ["bind"];
  readonly name = "DefaultBinder";
  index = -1;

  bind(_s: CycleState, pod: fw.PodRef, node: number, binder: fw.Binder): Status {
    binder.bindThroughApi(pod, node);
    return SUCCESS;
  }
}
