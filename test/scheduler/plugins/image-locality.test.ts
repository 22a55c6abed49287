import { describe, expect, test } from "vitest";
import { calculatePriority, ImageLocality } from "../../../src/scheduler/plugins/image-locality.js";
import { cluster, makeNode, makePod, runScore } from "../fixtures/cluster.js";

const MB = 1024 * 1024;
const imgNode = (name: string, images: [string, number][]) =>
  makeNode(name, { cpu: "1" }, { images: images.map(([n, s]) => ({ names: [n], sizeBytes: s })) });

// Cases after upstream plugins/imagelocality/image_locality_test.go.
describe("ImageLocality", () => {
  const nodes = [
    imgNode("node1", [
      ["gcr.io/40:latest", 40 * MB],
      ["gcr.io/300:latest", 300 * MB],
      ["gcr.io/2000:latest", 2000 * MB],
    ]),
    imgNode("node2", [
      ["gcr.io/250:latest", 250 * MB],
      ["gcr.io/10:latest", 10 * MB],
    ]),
  ];
  test("two images spread on two nodes, the larger one wins", () => {
    const { c, fw } = cluster(nodes);
    // node1: 40MB * 1/2 = 20MB < 23MB -> 0; node2: 250MB * 1/2 = 125MB -> 100 * (125 - 23) / (2000 - 23) = 5
    const pod = makePod().container({ image: "gcr.io/40" }).container({ image: "gcr.io/250" }).get();
    expect(runScore(c, new ImageLocality(fw), pod).raw).toEqual([0, 5]);
  });
  test("large images are capped at 1000MB per container", () => {
    const { c, fw } = cluster(nodes);
    // node1: 2000MB * 1/2 = 1000MB (one container: max 1000MB) -> 100 * (1000 - 23) / (1000 - 23) = 100
    const pod = makePod().container({ image: "gcr.io/2000" }).get();
    expect(runScore(c, new ImageLocality(fw), pod).raw).toEqual([100, 0]);
  });
  test("an image on every node counts in full", () => {
    const n = [imgNode("a", [["gcr.io/300:latest", 300 * MB]]), imgNode("b", [["gcr.io/300:latest", 300 * MB]])];
    const { c, fw } = cluster(n);
    const want = Math.trunc((100 * (300 * MB - 23 * MB)) / (1000 * MB - 23 * MB));
    expect(runScore(c, new ImageLocality(fw), makePod().container({ image: "gcr.io/300:latest" }).get()).raw).toEqual([
      want,
      want,
    ]);
  });
  test("calculatePriority clamps to [23MB, 1000MB x containers]", () => {
    expect(calculatePriority(0, 1)).toBe(0);
    expect(calculatePriority(5000 * MB, 2)).toBe(100);
    expect(calculatePriority(523 * MB, 1)).toBe(Math.trunc((100 * 500 * MB) / (977 * MB)));
  });
});
