import { Bench } from "tinybench";
import { Engine } from "../src/core/engine.js";
import { RandomStreams } from "../src/core/random.js";
import { PodTable } from "../src/cluster/pod-table.js";
import { WatchCache, WatchEvent, WatchResource } from "../src/apiserver/watch-cache.js";
import { WATCH_DEFAULTS } from "../src/scenario/sections/watch.js";
import { API_SERVER_DEFAULTS, masterCpus } from "../src/scenario/sections/api-server.js";
import { apiServerCpus } from "../src/apiserver/api-server.js";

/** Pod events per task iteration. */
export const WATCH_EVENTS = 10_000;

/**
 * Watch fan-out: `nodes` kubelet pod watchers (one per node) plus two informers of all pods
 * (scheduler, replicaset controller). Each iteration publishes 10,000 pod events for pods bound
 * to nodes spread over the cluster and runs the engine until every delivery is made.
 * The per-event cost must not grow with the number of watchers: a pod event reaches its
 * kubelet through the nodeName index.
 */
export function watchBench(): Bench {
  const bench = new Bench({ name: "watch fan-out", time: 1500, warmup: true });
  for (const nodes of [500, 5_000, 50_000]) {
    const engine = new Engine();
    const pods = new PodTable(WATCH_EVENTS);
    // The API server sized as a run sizes it for this many nodes.
    const api = { ...API_SERVER_DEFAULTS, cpus: masterCpus(nodes) };
    const watch = new WatchCache(engine, new RandomStreams(1), WATCH_DEFAULTS, pods, nodes, apiServerCpus(api), api);
    const sink = engine.register("sink", () => {});
    for (let n = 0; n < nodes; n++) watch.watchPodsOnNode(n, sink, n, n);
    watch.watch(WatchResource.pods, sink, 0, 0);
    watch.watch(WatchResource.pods, sink, 1, 1);
    for (let p = 0; p < WATCH_EVENTS; p++) {
      pods.add(0, p, 0);
      pods.node[p] = (p * 7919) % nodes;
    }
    const publish = engine.register("publish", (p) => watch.publish(WatchResource.pods, p, WatchEvent.MODIFIED));
    bench.add(`watch fan-out ${nodes} node watchers`, () => {
      for (let p = 0; p < WATCH_EVENTS; p++) engine.schedule(p * 10_000, publish, p);
      engine.run();
    });
  }
  return bench;
}
