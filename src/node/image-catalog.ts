import { Interner } from "../cluster/interner.js";
import { columnTable } from "../core/column-table.js";

/** One layer of an image as a scenario lists it: its digest and its (compressed) size. */
export interface LayerSpec {
  /** Content digest, e.g. `sha256:...`; layers with equal digests are the same blob. */
  digest: string;
  /** Bytes transferred when the layer is fetched from the registry. */
  sizeBytes: number;
}

/** Per image id: offset of its first layer in the CSR layer list (-1: not defined), layer count, total bytes. */
const ImageRows = columnTable({
  start: { type: "Int32", unset: -1 },
  count: "Int32",
  imageBytes: "Float64",
});
/** The CSR layer list: layer ids of every image, image after image. */
const LayerList = columnTable({ layer: { type: "Int32", unset: -1 } });
/** Per layer id: its size in bytes. */
const LayerRows = columnTable({ sizeBytes: "Float64" });

/**
 * All images the scenario knows, each an ordered list of layers (base first), stored as CSR
 * typed arrays: the layers of image `i` are `layerIds[layerStart[i] .. layerStart[i] + layerCount(i))`.
 *
 * Image ids are the ids of an image-name {@link Interner} (pass the scenario's, so that they
 * equal `ContainerSpec.image` and the NodeTable image bits); layer ids intern digests, so two
 * images that share a base layer refer to one layer id, and a node that holds the layer never
 * fetches it again.
 * model: containerd's content store is addressed by digest (containerd content/content.go
 * `Info.Digest`); a layer blob present in it is not fetched again by a later pull.
 *
 * Contract: define every image before building a {@link LayerCache} or an image puller over the
 * catalog (they size their bitsets from it and call {@link seal}); `define` after `seal` throws.
 */
export class ImageCatalog {
  /** Image names to ids (shared with the scenario when passed in). */
  readonly images: Interner;
  /** Layer digests to ids. */
  readonly layers = new Interner();
  private readonly rows = new ImageRows(16);
  private readonly list = new LayerList(64);
  private readonly layerRows = new LayerRows(64);
  private sealed = false;

  constructor(images: Interner = new Interner()) {
    this.images = images;
  }

  /** Number of image ids the catalog can index (the interner's size). */
  get imageCount(): number {
    return this.images.size;
  }

  /** Number of distinct layers. */
  get layerCount(): number {
    return this.layers.size;
  }

  /**
   * Defines image `name` as `layers` (base first) and returns its id. A digest seen before must
   * carry the same size. Redefining an image throws.
   */
  define(name: string, layers: readonly LayerSpec[]): number {
    if (this.sealed) throw new Error(`image catalog is sealed; cannot define ${name}`);
    if (layers.length === 0) throw new RangeError(`image ${name} has no layers`);
    const image = this.images.intern(name);
    const rows = this.rows;
    rows.ensureRow(image);
    if (rows.start[image]! >= 0) throw new Error(`image ${name} defined twice`);
    rows.start[image] = this.list.size;
    rows.count[image] = layers.length;
    let total = 0;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      if (!(l.sizeBytes >= 0) || !Number.isFinite(l.sizeBytes)) {
        throw new RangeError(`layer ${l.digest} of ${name} has bad size ${l.sizeBytes}`);
      }
      const known = this.layers.size;
      const id = this.layers.intern(l.digest);
      if (id === known) {
        this.layerRows.ensureRow(id);
        this.layerRows.sizeBytes[id] = l.sizeBytes;
      } else if (this.layerRows.sizeBytes[id] !== l.sizeBytes) {
        throw new RangeError(`layer ${l.digest} has size ${this.layerRows.sizeBytes[id]} and ${l.sizeBytes}`);
      }
      const at = this.list.addRow();
      this.list.layer[at] = id;
      total += l.sizeBytes;
    }
    rows.imageBytes[image] = total;
    return image;
  }

  /**
   * Defines an image of one layer of `sizeBytes` whose digest is derived from the name: for
   * scenarios that give only an image size.
   */
  defineSized(name: string, sizeBytes: number): number {
    return this.define(name, [{ digest: `size-only:${name}`, sizeBytes }]);
  }

  /** Refuses further definitions; models built over the catalog call this. */
  seal(): void {
    this.sealed = true;
  }

  /** True when `image` was defined. */
  has(image: number): boolean {
    return image >= 0 && image < this.rows.capacity && this.rows.start[image]! >= 0;
  }

  /** Total bytes of the image's layers (its pull size on an empty node). */
  sizeBytes(image: number): number {
    this.check(image);
    return this.rows.imageBytes[image]!;
  }

  /** Offset of the image's first layer in {@link layerIdAt}. */
  layerStart(image: number): number {
    this.check(image);
    return this.rows.start[image]!;
  }

  /** Number of layers of the image. */
  layerCountOf(image: number): number {
    this.check(image);
    return this.rows.count[image]!;
  }

  /** The layer id at CSR offset `i` (see {@link layerStart}). */
  layerIdAt(i: number): number {
    return this.list.layer[i]!;
  }

  /** Bytes of layer `layer`. */
  layerSize(layer: number): number {
    return this.layerRows.sizeBytes[layer]!;
  }

  private check(image: number): void {
    if (!this.has(image)) {
      const name = image >= 0 && image < this.images.size ? this.images.name(image) : `#${image}`;
      throw new RangeError(`image ${name} is not in the image catalog`);
    }
  }
}
