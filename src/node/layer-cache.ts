import type { NodeIdx } from "../cluster/ids.js";
import type { ImageCatalog } from "./image-catalog.js";

/**
 * What each node's container runtime holds: a bitset over layer ids (the content store) and a
 * bitset over image ids (the image store), one row of 32-bit words per node.
 *
 * model: containerd keeps layer blobs by digest in its content store and image records
 * (name -> manifest) in its image store; the kubelet asks for the image by name
 * (pkg/kubelet/images/image_manager.go `GetImageRef`), so an image counts as present only once
 * its record exists. A successful pull or a pre-pull sets the record and all its layers; layers
 * that arrived with other images make a later pull cheaper (no bytes) but not unnecessary.
 * Image garbage collection is not modelled: nothing is ever removed.
 */
export class LayerCache {
  readonly nodeCount: number;
  private readonly catalog: ImageCatalog;
  private readonly layerWords: number;
  private readonly imageWords: number;
  /** perf: one flat Uint32Array per store; node n's row starts at n * words. */
  private readonly layerBits: Uint32Array;
  private readonly imageBits: Uint32Array;

  /** Builds empty stores for `nodeCount` nodes over a complete catalog (which it seals). */
  constructor(catalog: ImageCatalog, nodeCount: number) {
    catalog.seal();
    this.catalog = catalog;
    this.nodeCount = nodeCount;
    this.layerWords = Math.max(1, Math.ceil(catalog.layerCount / 32));
    this.imageWords = Math.max(1, Math.ceil(catalog.imageCount / 32));
    this.layerBits = new Uint32Array(nodeCount * this.layerWords);
    this.imageBits = new Uint32Array(nodeCount * this.imageWords);
  }

  /** True when the node's runtime holds the image record (pulled or pre-pulled). */
  hasImage(node: NodeIdx, image: number): boolean {
    if (image >= this.imageWords * 32) return false; // interned after the cache was built
    return (this.imageBits[node * this.imageWords + (image >>> 5)]! & (1 << (image & 31))) !== 0;
  }

  /** True when the node holds the layer blob. */
  hasLayer(node: NodeIdx, layer: number): boolean {
    return (this.layerBits[node * this.layerWords + (layer >>> 5)]! & (1 << (layer & 31))) !== 0;
  }

  /** Records a fetched layer blob. */
  addLayer(node: NodeIdx, layer: number): void {
    this.layerBits[node * this.layerWords + (layer >>> 5)]! |= 1 << (layer & 31);
  }

  /** True when every layer of the image is on the node (a pull would move no bytes). */
  hasAllLayers(node: NodeIdx, image: number): boolean {
    const c = this.catalog;
    const start = c.layerStart(image);
    const end = start + c.layerCountOf(image);
    for (let i = start; i < end; i++) if (!this.hasLayer(node, c.layerIdAt(i))) return false;
    return true;
  }

  /** Bytes a pull of the image would fetch on the node now (its layers not yet present). */
  missingBytes(node: NodeIdx, image: number): number {
    const c = this.catalog;
    const start = c.layerStart(image);
    const end = start + c.layerCountOf(image);
    let bytes = 0;
    for (let i = start; i < end; i++) {
      const l = c.layerIdAt(i);
      if (!this.hasLayer(node, l)) bytes += c.layerSize(l);
    }
    return bytes;
  }

  /**
   * Marks the image present on the node: its record and all its layers (a pre-pulled image, or
   * the end of a successful pull).
   */
  addImage(node: NodeIdx, image: number): void {
    const c = this.catalog;
    const start = c.layerStart(image);
    const end = start + c.layerCountOf(image);
    for (let i = start; i < end; i++) this.addLayer(node, c.layerIdAt(i));
    this.imageBits[node * this.imageWords + (image >>> 5)]! |= 1 << (image & 31);
  }

  /** Pre-pulls the image on every node in `nodes` (all nodes when omitted). */
  prePull(image: number, nodes?: ArrayLike<NodeIdx>): void {
    if (nodes === undefined) {
      for (let n = 0; n < this.nodeCount; n++) this.addImage(n, image);
    } else {
      for (let i = 0; i < nodes.length; i++) this.addImage(nodes[i]!, image);
    }
  }
}
