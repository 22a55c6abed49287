import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { PullQpsLimiter } from "../../src/node/pull-qps-limiter.js";

describe("PullQpsLimiter (TryAccept semantics)", () => {
  it("admits the burst, refuses without taking a token, refills at qps", () => {
    const l = new PullQpsLimiter(2, 5, 10);
    for (let i = 0; i < 10; i++) expect(l.tryAccept(0, 0)).toBe(true);
    expect(l.tryAccept(0, 0)).toBe(false);
    expect(l.tryAccept(0, 199 * NS_PER.ms)).toBe(false); // 0.995 tokens
    expect(l.tryAccept(0, 200 * NS_PER.ms)).toBe(true); // refusals took nothing: exactly 1 token
    expect(l.tryAccept(0, 200 * NS_PER.ms)).toBe(false);
    // Other nodes have their own bucket.
    expect(l.tryAccept(1, 0)).toBe(true);
    // Never above burst.
    let ok = 0;
    while (l.tryAccept(1, 3600 * NS_PER.s)) ok++;
    expect(ok).toBe(10);
  });

  it("qps 0 disables the limit", () => {
    const l = new PullQpsLimiter(1, 0, 0);
    for (let i = 0; i < 1000; i++) expect(l.tryAccept(0, 0)).toBe(true);
  });
});
