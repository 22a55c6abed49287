import { describe, expect, it } from "vitest";
import { PodsByNode } from "../../src/node/pods-by-node.js";

describe("PodsByNode", () => {
  it("lists, unlists and counts a node's pods, growing past its initial capacity", () => {
    const idx = new PodsByNode(3);
    idx.add(5, 1);
    idx.add(2000, 1);
    idx.add(7, 2);
    idx.add(5, 0); // already listed: ignored
    expect(idx.podsOf(1)).toEqual([2000, 5]);
    expect(idx.size(1)).toBe(2);
    expect(idx.node(5)).toBe(1);
    idx.remove(2000);
    idx.remove(9999); // never listed
    expect(idx.podsOf(1)).toEqual([5]);
    expect(idx.node(2000)).toBe(-1);
    idx.remove(5);
    expect(idx.podsOf(1)).toEqual([]);
    expect(idx.size(1)).toBe(0);
    expect(idx.podsOf(2)).toEqual([7]);
  });
});
