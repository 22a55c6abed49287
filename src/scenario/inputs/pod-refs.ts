import type { PodManifest } from "../manifests.js";
import type { ReadContext, YamlReader } from "../yaml-reader.js";

/**
 * Where each pod template named an object resolved only once every input is read (a
 * PriorityClass, a RuntimeClass), so that an error found then is located at the name.
 */
export class PodRefs {
  private readonly at = new WeakMap<PodManifest, YamlReader>();

  /** Records that `pod` names the object at `r`. */
  note(pod: PodManifest, r: YamlReader): void {
    this.at.set(pod, r);
  }

  /** Whether `pod` named one. */
  has(pod: PodManifest): boolean {
    return this.at.has(pod);
  }

  /** Reports `expected` at `pod`'s reference into `ctx` (nothing when it has none). */
  fail(ctx: ReadContext, pod: PodManifest, expected: string): void {
    const r = this.at.get(pod);
    if (r === undefined) return;
    r.fail(expected);
    ctx.absorb(r.ctx.issues);
  }
}
