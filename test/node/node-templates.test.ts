import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { unreachableToleration } from "../../src/node/node-templates.js";

const D = 300 * NS_PER.s;

describe("toleration of node.kubernetes.io/unreachable:NoExecute", () => {
  it("no toleration: DefaultTolerationSeconds adds 300 s", () => {
    expect(unreachableToleration(undefined, D)).toBe(D);
    expect(
      unreachableToleration([{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], D),
    ).toBe(D);
  });

  it("an explicit toleration wins, tolerationSeconds in seconds; without seconds it is forever", () => {
    expect(
      unreachableToleration(
        [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }],
        D,
      ),
    ).toBe(30 * NS_PER.s);
    expect(
      unreachableToleration([{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }], D),
    ).toBe(Infinity);
    expect(unreachableToleration([{ operator: "Exists" }], D)).toBe(Infinity);
  });

  it("the smallest matching tolerationSeconds is used, and <= 0 evicts at once", () => {
    const tols = [
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 },
      { operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 },
    ];
    expect(unreachableToleration(tols, D)).toBe(20 * NS_PER.s);
    expect(
      unreachableToleration([{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 0 }], D),
    ).toBe(0);
  });
});
