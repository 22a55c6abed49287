import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";

/** The watch cache and fan-out (`controlPlane.watch`). */
export interface WatchSpec {
  /** Latency from an etcd commit to the watch cache (the watch cache lags etcd). */
  cacheLag: DistSpec;
  /** Network latency from the API server to a watcher. */
  delivery: DistSpec;
  /** Dispatcher time per event: its bookkeeping, not its encoding (that runs on the replicas' cores). */
  dispatchCostNs: number;
  /** Dispatcher time per watcher an event is sent to. */
  perDeliveryCostNs: number;
  /** Time a watcher's client takes to decode and handle one event. */
  clientEventCostNs: number;
  /** API server time per object to serve a relist from the watch cache. */
  relistCostPerObjectNs: number;
  /** Time before a terminated watcher's reflector watches again. */
  rewatchDelayNs: number;
}

const { us, ms } = NS_PER;

export const WATCH_DEFAULTS: WatchSpec = {
  // model: k8s 1.2 blog: the watch cache trails etcd by tens of milliseconds.
  cacheLag: lognormal(10 * ms, 40 * ms),
  delivery: lognormal(500 * us, 5 * ms),
  // model: (assumed) cacher.go dispatchEvent: the event's watcher lookup and set-up, a few
  // microseconds; it does not encode. The encode, once per event per replica through
  // cachingObject, is CPU of the replica serving the watch (apiserver/watch-cache.ts).
  dispatchCostNs: 5 * us,
  // model: (assumed) a filter check and a channel send per watcher.
  perDeliveryCostNs: 1 * us,
  // model: (assumed) protobuf decode + informer store update + handler, tens of microseconds.
  clientEventCostNs: 30 * us,
  // model: (assumed) a LIST served from the watch cache costs a few microseconds per object.
  relistCostPerObjectNs: 5 * us,
  // model: client-go reflector restarts its watch after a closed stream at once, backing off
  // from 800 ms on repeated failures (reflector.go NewReflector backoff: 800 ms initial).
  rewatchDelayNs: 800 * ms,
};

export function readWatch(w: YamlReader): WatchSpec {
  const D = WATCH_DEFAULTS;
  w.object([
    "cacheLag",
    "delivery",
    "dispatchCost",
    "perDeliveryCost",
    "clientEventCost",
    "relistCostPerObject",
    "rewatchDelay",
  ]);
  return {
    cacheLag: w.get("cacheLag").dist({ default: D.cacheLag }),
    delivery: w.get("delivery").dist({ default: D.delivery }),
    dispatchCostNs: w.get("dispatchCost").duration({ min: 0, default: D.dispatchCostNs }),
    perDeliveryCostNs: w.get("perDeliveryCost").duration({ min: 0, default: D.perDeliveryCostNs }),
    clientEventCostNs: w.get("clientEventCost").duration({ min: 0, default: D.clientEventCostNs }),
    relistCostPerObjectNs: w.get("relistCostPerObject").duration({ min: 0, default: D.relistCostPerObjectNs }),
    rewatchDelayNs: w.get("rewatchDelay").duration({ min: 0, default: D.rewatchDelayNs }),
  };
}
