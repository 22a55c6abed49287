import { Engine, type EventKind } from "../../src/core/engine.js";
import { RandomStreams } from "../../src/core/random.js";
import { ImageCatalog, type LayerSpec } from "../../src/node/image-catalog.js";
import { ImagePuller, type ImagePullerConfig, type ImagePullPolicy } from "../../src/node/image-puller.js";
import { LayerCache } from "../../src/node/layer-cache.js";
import { Registry, type RegistryConfig } from "../../src/node/registry.js";

export const MB = 1_000_000;

export interface WorldOptions {
  nodes: number;
  registry: RegistryConfig;
  puller?: Partial<ImagePullerConfig>;
  seed?: number | string;
  /** name -> layers as [digest, bytes]. */
  images: Record<string, readonly (readonly [string, number])[]>;
}

/** A finished pull request as the kubelet would see it. */
export interface Done {
  target: number;
  code: number;
  atNs: number;
}

/** Engine + catalog + layer cache + registry + puller, recording every onDone. */
export class World {
  readonly engine = new Engine();
  readonly catalog = new ImageCatalog();
  readonly ids: Record<string, number> = {};
  readonly cache: LayerCache;
  readonly registry: Registry;
  readonly puller: ImagePuller;
  readonly done: Done[] = [];
  readonly onDone: EventKind;
  private readonly actions: (() => void)[] = [];
  private readonly actionKind: EventKind;

  constructor(o: WorldOptions) {
    for (const [name, layers] of Object.entries(o.images)) {
      const specs: LayerSpec[] = layers.map(([digest, sizeBytes]) => ({ digest, sizeBytes }));
      this.ids[name] = this.catalog.define(name, specs);
    }
    this.cache = new LayerCache(this.catalog, o.nodes);
    this.registry = new Registry(this.engine, o.nodes, o.registry);
    this.puller = new ImagePuller(
      this.engine,
      new RandomStreams(o.seed ?? 1),
      this.registry,
      this.catalog,
      this.cache,
      o.puller,
    );
    this.onDone = this.engine.register("test.pullDone", (target, code) => {
      this.done.push({ target, code, atNs: this.engine.now });
    });
    this.actionKind = this.engine.register("test.action", (i) => this.actions[i]!());
  }

  id(name: string): number {
    const id = this.ids[name];
    if (id === undefined) throw new Error(`no image ${name}`);
    return id;
  }

  /** Requests a pull now; returns the request id. */
  pull(node: number, image: string, policy: ImagePullPolicy, target: number): number {
    return this.puller.pull(node, this.id(image), policy, this.onDone, target);
  }

  /** Runs `fn` at absolute time `atNs`. */
  at(atNs: number, fn: () => void): void {
    this.actions.push(fn);
    this.engine.scheduleAt(atNs, this.actionKind, this.actions.length - 1, 0);
  }

  doneOf(target: number): Done {
    const d = this.done.find((x) => x.target === target);
    if (d === undefined) throw new Error(`target ${target} not done`);
    return d;
  }
}
