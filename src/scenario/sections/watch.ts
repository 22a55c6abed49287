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
  // model: measured on a real etcd (bench/data/etcd-watch-lag: 3.4.23, a watch on the writer's
  // own connection, as the API server's storage keeps one etcd client per resource): the event
  // arrives p50 0.004-0.014 ms, p99 0.23-0.84 ms after the write's reply, at 50 to 1,000 puts/s.
  // The API server's side has no timer: storage/etcd3/watcher.go decodes the event and hands it
  // on through buffered channels (incomingBufSize, outgoingBufSize = 100) to the cacher's
  // reflector and watchCache.processEvent; (assumed) ~0.1 ms for the protobuf decode and the
  // goroutine hand-offs. So p50 0.1 ms, p99 1 ms (the measured p99 at 1,000/s, rounded up).
  cacheLag: lognormal(100 * us, 1 * ms),
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
