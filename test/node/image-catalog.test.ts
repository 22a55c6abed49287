import { describe, expect, it } from "vitest";
import { Interner } from "../../src/cluster/interner.js";
import { ImageCatalog } from "../../src/node/image-catalog.js";
import { LayerCache } from "../../src/node/layer-cache.js";

function catalog() {
  const names = new Interner();
  names.intern("registry.k8s.io/pause:3.9"); // interned elsewhere, never defined
  const c = new ImageCatalog(names);
  const web = c.define("web:1", [
    { digest: "sha256:debian", sizeBytes: 50 },
    { digest: "sha256:python", sizeBytes: 30 },
    { digest: "sha256:web", sizeBytes: 5 },
  ]);
  const worker = c.define("worker:1", [
    { digest: "sha256:debian", sizeBytes: 50 },
    { digest: "sha256:python", sizeBytes: 30 },
    { digest: "sha256:worker", sizeBytes: 7 },
  ]);
  const solo = c.defineSized("solo:1", 123);
  return { c, names, web, worker, solo };
}

describe("ImageCatalog", () => {
  it("shares layer ids by digest and sums sizes", () => {
    const { c, names, web, worker, solo } = catalog();
    expect(web).toBe(names.lookup("web:1"));
    expect(c.layerCount).toBe(5);
    expect(c.sizeBytes(web)).toBe(85);
    expect(c.sizeBytes(worker)).toBe(87);
    expect(c.sizeBytes(solo)).toBe(123);
    expect(c.layerIdAt(c.layerStart(web))).toBe(c.layerIdAt(c.layerStart(worker)));
    expect(c.layerCountOf(web)).toBe(3);
    expect(c.has(names.lookup("registry.k8s.io/pause:3.9"))).toBe(false);
  });

  it("refuses a digest with two sizes, a redefinition, and definitions after sealing", () => {
    const { c } = catalog();
    expect(() => c.define("x", [{ digest: "sha256:debian", sizeBytes: 51 }])).toThrow(/size/);
    expect(() => c.define("web:1", [{ digest: "sha256:q", sizeBytes: 1 }])).toThrow(/twice/);
    new LayerCache(c, 1);
    expect(() => c.define("late", [{ digest: "sha256:late", sizeBytes: 1 }])).toThrow(/sealed/);
  });
});

describe("LayerCache", () => {
  it("pre-pulling an image marks it and its layers on the chosen nodes only", () => {
    const { c, web, worker } = catalog();
    const cache = new LayerCache(c, 40);
    cache.prePull(web, [3, 35]);
    for (const n of [3, 35]) {
      expect(cache.hasImage(n, web)).toBe(true);
      expect(cache.hasAllLayers(n, web)).toBe(true);
      // The shared base layers are now there for worker: only its top layer is missing.
      expect(cache.missingBytes(n, worker)).toBe(7);
      expect(cache.hasImage(n, worker)).toBe(false);
    }
    expect(cache.hasImage(4, web)).toBe(false);
    expect(cache.missingBytes(4, worker)).toBe(87);
    cache.prePull(worker);
    for (let n = 0; n < 40; n++) expect(cache.hasImage(n, worker)).toBe(true);
  });

  it("an image id interned after the cache was built is simply absent", () => {
    const { c, names } = catalog();
    const cache = new LayerCache(c, 2);
    for (let i = 0; i < 100; i++) names.intern(`late-${i}`);
    expect(cache.hasImage(1, names.lookup("late-99"))).toBe(false);
  });
});
