import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";

/** The watch cache and fan-out (`controlPlane.watch`). */
export interface WatchSpec {
  /** Latency from an etcd commit to the watch cache (the watch cache lags etcd). */
  cacheLag: DistSpec;
  /** Latency from the watch cache to a watcher receiving the event. */
  delivery: DistSpec;
}

export const WATCH_DEFAULTS: WatchSpec = {
  // model: k8s 1.2 blog: the watch cache trails etcd by tens of milliseconds.
  cacheLag: lognormal(10 * NS_PER.ms, 40 * NS_PER.ms),
  delivery: lognormal(500 * NS_PER.us, 5 * NS_PER.ms),
};

export function readWatch(w: YamlReader): WatchSpec {
  w.object(["cacheLag", "delivery"]);
  return { cacheLag: w.get("cacheLag").dist({ default: WATCH_DEFAULTS.cacheLag }), delivery: w.get("delivery").dist({ default: WATCH_DEFAULTS.delivery }) };
}
