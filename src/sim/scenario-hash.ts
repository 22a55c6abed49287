import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Scenario } from "../scenario/types.js";

/**
 * The scenario hash of the run already in `outDir` (from its summary.json), or undefined when
 * there is none there to replace. A run of another scenario (another file, `--scale`, an edit)
 * under the same `<name>-<seed>` is refused by `simctl run` unless forced, so one run never
 * silently replaces another's results.
 */
export function existingRunHash(outDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(outDir, "summary.json"), "utf8");
  } catch {
    return undefined;
  }
  try {
    const h = (JSON.parse(text) as { scenarioHash?: unknown }).scenarioHash;
    return typeof h === "string" ? h : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * A stable hash of the resolved scenario's content: same inputs, same hash, on any machine and
 * from any directory (file paths say where a scenario was read, not what it is, so they are
 * left out).
 */
export function scenarioHash(s: Scenario): string {
  return createHash("sha256").update(scenarioJson(s, true)).digest("hex").slice(0, 16);
}

/** The resolved scenario as scenario.json holds it; `contentOnly` leaves out file paths too (for the hash). */
export function scenarioJson(s: Scenario, contentOnly = false): string {
  return JSON.stringify(
    s,
    (k, v: unknown) =>
      (contentOnly && k === "file") || k === "inputs" ? undefined : v instanceof Map ? Object.fromEntries(v) : v,
    2,
  );
}
