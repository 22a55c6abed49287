import { describe, expect, test } from "vitest";
import { Engine } from "../../src/core/engine.js";
import { RandomStreams } from "../../src/core/random.js";
import { NS_PER } from "../../src/core/time.js";
import { constant } from "../../src/core/distributions.js";
import { PodTable } from "../../src/cluster/pod-table.js";
import {
  WATCH_CACHE_MIN_CAPACITY,
  WatchCache,
  WatchEvent,
  WatchResource,
  watchObject,
  watchType,
} from "../../src/apiserver/watch-cache.js";
import { WATCH_DEFAULTS, type WatchSpec } from "../../src/scenario/sections/watch.js";
import { API_SERVER_DEFAULTS, type ApiServerSpec } from "../../src/scenario/sections/api-server.js";
import { apiServerCpus } from "../../src/apiserver/api-server.js";

const { us, ms, s } = NS_PER;

function setup(spec: Partial<WatchSpec> = {}, nodes = 4, apiserver: Partial<ApiServerSpec> = {}) {
  const engine = new Engine();
  const pods = new PodTable();
  const api = { ...API_SERVER_DEFAULTS, ...apiserver };
  const cpus = apiServerCpus(api);
  const watch = new WatchCache(engine, new RandomStreams(1), { ...WATCH_DEFAULTS, ...spec }, pods, nodes, cpus, api);
  return { engine, pods, watch, cpus };
}

/** Records what a watcher receives: [time, object, type]. */
function recorder(engine: Engine, watch: WatchCache, node?: number) {
  const got: [number, number, number][] = [];
  const k = engine.register("rec", (_t, arg) => got.push([engine.now, watchObject(arg), watchType(arg)]));
  if (node === undefined) watch.watch(WatchResource.pods, k, 0, 0);
  else watch.watchPodsOnNode(node, k, node, node);
  return got;
}

describe("WatchCache", () => {
  test("each watcher receives events in commit order, each exactly once", () => {
    const { engine, pods, watch } = setup();
    const got = recorder(engine, watch);
    const publish = engine.register("pub", (i) => {
      pods.add(0, i, 0);
      watch.publish(WatchResource.pods, i, WatchEvent.ADDED);
    });
    for (let i = 0; i < 2000; i++) engine.schedule(i * 100 * us, publish, i);
    engine.run();
    expect(got.map((g) => g[1])).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    for (let i = 1; i < got.length; i++) expect(got[i]![0]).toBeGreaterThanOrEqual(got[i - 1]![0]);
  });

  test("a pod event reaches only its node's kubelet watcher (the nodeName index)", () => {
    const { engine, pods, watch } = setup({}, 3);
    const perNode = [0, 1, 2].map((n) => recorder(engine, watch, n));
    const all = recorder(engine, watch);
    const k = engine.register("bind", (p, node) => {
      pods.node[p] = node;
      watch.publish(WatchResource.pods, p, WatchEvent.MODIFIED);
    });
    for (let p = 0; p < 30; p++) {
      pods.add(0, p, 0);
      engine.schedule(p * ms, k, p, p % 3);
    }
    engine.run();
    for (let n = 0; n < 3; n++)
      expect(perNode[n]!.map((g) => g[1])).toEqual(Array.from({ length: 10 }, (_, i) => i * 3 + n));
    expect(all.length).toBe(30);
  });

  test("the window doubles while its events are fresh, up from 100", () => {
    const { engine, pods, watch } = setup();
    const k = engine.register("pub", (i) => watch.publish(WatchResource.pods, i, WatchEvent.ADDED));
    for (let i = 0; i < 1000; i++) {
      pods.add(0, i, 0);
      engine.schedule(i * ms, k, i);
    }
    engine.run();
    // 1,000 events within 1 s, all fresh (< 75 s): 100 -> 200 -> 400 -> 800 -> 1600.
    expect(watch.window(WatchResource.pods)).toEqual({ capacity: 16 * WATCH_CACHE_MIN_CAPACITY, events: 1000 });
  });

  test("a watcher too slow for its channel is terminated within the time budget and catches up after re-watching", () => {
    // The client needs 20 ms per event; events come every 1 ms: its 1000-event channel fills.
    const { engine, pods, watch } = setup({
      clientEventCostNs: 20 * ms,
      rewatchDelayNs: 1 * s,
      delivery: { kind: "constant", value: 0 },
    });
    const got = recorder(engine, watch);
    const k = engine.register("pub", (i) => watch.publish(WatchResource.pods, i, WatchEvent.ADDED));
    const n = 3000;
    for (let i = 0; i < n; i++) {
      pods.add(0, i, 0);
      engine.schedule(i * ms, k, i);
    }
    engine.run();
    expect(watch.terminations).toBeGreaterThanOrEqual(1);
    // The dispatcher waited at most the 100 ms budget plus 50 ms per second of run.
    expect(watch.blockedNs).toBeLessThanOrEqual(100 * ms + (engine.now / s) * 50 * ms);
    // Nothing is lost or duplicated: every event arrives once, in order.
    expect(got.map((g) => g[1])).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  test("a watcher whose resourceVersion left the window relists; one still inside re-watches", () => {
    const slow = setup({
      clientEventCostNs: 50 * ms,
      rewatchDelayNs: 200 * s,
      delivery: { kind: "constant", value: 0 },
    });
    recorder(slow.engine, slow.watch);
    const k = slow.engine.register("pub", (i) => slow.watch.publish(WatchResource.pods, i, WatchEvent.ADDED));
    // 200,000 events over 200 s: the window caps at 102,400, so the terminated watcher's
    // position is long gone by the time it watches again.
    for (let i = 0; i < 200_000; i++) {
      slow.pods.add(0, i, 0);
      slow.engine.schedule(i * ms, k, i);
    }
    slow.engine.run();
    expect(slow.watch.relists).toBeGreaterThanOrEqual(1);

    const quick = setup({
      clientEventCostNs: 50 * ms,
      rewatchDelayNs: 1 * s,
      delivery: { kind: "constant", value: 0 },
    });
    recorder(quick.engine, quick.watch);
    const k2 = quick.engine.register("pub", (i) => quick.watch.publish(WatchResource.pods, i, WatchEvent.ADDED));
    for (let i = 0; i < 2000; i++) {
      quick.pods.add(0, i, 0);
      quick.engine.schedule(i * ms, k2, i);
    }
    quick.engine.run();
    expect(quick.watch.rewatches).toBeGreaterThanOrEqual(1);
    expect(quick.watch.relists).toBe(0);
  });

  test("with the API server attached, a relist is a LIST request of the watcher's client, and the watch resumes on its answer", () => {
    const slow = setup({
      clientEventCostNs: 50 * ms,
      rewatchDelayNs: 200 * s,
      delivery: { kind: "constant", value: 0 },
    });
    const lists: [number, number, number, number][] = [];
    const answerAfterNs = 3 * s;
    slow.watch.attachLister({
      list: (client, resource, objects, cpuNs, kind, target) => {
        lists.push([client, resource, objects, cpuNs]);
        slow.engine.schedule(answerAfterNs, kind, target, 0);
      },
    });
    const got = recorder(slow.engine, slow.watch);
    const k = slow.engine.register("pub", (i) => slow.watch.publish(WatchResource.pods, i, WatchEvent.ADDED));
    for (let i = 0; i < 200_000; i++) {
      slow.pods.add(0, i, 0);
      slow.engine.schedule(i * ms, k, i);
    }
    slow.engine.run();
    expect(slow.watch.relists).toBeGreaterThanOrEqual(1);
    expect(lists.length).toBe(slow.watch.relists);
    // Client 0 (the recorder's), pods, every live object, at the relist cost per object.
    const [client, resource, objects, cpuNs] = lists[0]!;
    expect([client, resource]).toEqual([0, WatchResource.pods]);
    expect(cpuNs).toBe(objects * WATCH_DEFAULTS.relistCostPerObjectNs);
    // The watcher still gets every event, once and in order.
    expect(got.map((g) => g[1])).toEqual(Array.from({ length: 200_000 }, (_, i) => i));
  });

  test("an event is encoded once per replica that serves a watcher of it, then sent to each watcher", () => {
    const api = { replicas: 2, cpus: 1, serializationPerKiBNs: 20 * us, watchSendCostNs: 5 * us };
    const { engine, pods, watch, cpus } = setup({}, 4, api);
    const sink = engine.register("sink", () => {});
    // Informers of clients 0, 2 and 4 are on replica 0; client 1's on replica 1.
    for (const client of [0, 2, 4, 1]) watch.watch(WatchResource.pods, sink, 0, client);
    const publish = engine.register("pub", (i) => watch.publish(WatchResource.pods, i, WatchEvent.ADDED));
    const events = 200;
    for (let i = 0; i < events; i++) {
      pods.add(0, i, 0);
      engine.schedule(i * ms, publish, i);
    }
    engine.run();
    // A pod event's encode: 5,000 bytes at 10 us per KiB (one codec pass), rounded.
    const encode = Math.round((5_000 / 1024) * 10 * us);
    expect(cpus[0]!.bursts).toBe(events * (1 + 3));
    expect(cpus[0]!.busyNs).toBe(events * (encode + 3 * 5 * us));
    expect(cpus[1]!.bursts).toBe(events * (1 + 1));
    expect(cpus[1]!.busyNs).toBe(events * (encode + 5 * us));
  });

  test("a replica with no watcher of an event spends nothing on it, and a busy core delays delivery", () => {
    // One kubelet on replica 1; the informer on replica 0 sends each event 1 ms after encoding.
    const api = { replicas: 2, cpus: 1, watchSendCostNs: 1 * ms };
    const { engine, pods, watch, cpus } = setup({ delivery: constant(0), clientEventCostNs: 0 }, 4, api);
    const fast: number[] = [];
    const slow: number[] = [];
    watch.watchPodsOnNode(
      0,
      engine.register("kubelet", () => fast.push(engine.now)),
      0,
      1,
    );
    for (const client of [0, 2])
      watch.watch(
        WatchResource.pods,
        engine.register("inf", () => slow.push(engine.now)),
        0,
        client,
      );
    const k = engine.register("pub", (p) => watch.publish(WatchResource.pods, p, WatchEvent.MODIFIED));
    pods.add(0, 0, 0);
    pods.add(0, 1, 0);
    pods.node[1] = 3; // a pod on node 3, which no kubelet here watches
    engine.schedule(0, k, 0);
    engine.schedule(0, k, 1);
    pods.node[0] = 0;
    engine.run();
    // Replica 1 saw pod 0 only (its kubelet); replica 0 both pods, for two informers each.
    expect(cpus[1]!.bursts).toBe(2);
    expect(cpus[0]!.bursts).toBe(2 * (1 + 2));
    // The two informers' sends of one event queue on replica 0's single core, 1 ms each.
    expect(slow[1]! - slow[0]!).toBeGreaterThanOrEqual(1 * ms);
    expect(fast.length).toBe(1);
  });
});
