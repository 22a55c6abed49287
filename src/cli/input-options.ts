import type { Argv } from "yargs";
import { parseQuantity } from "../cluster/resources.js";
import { DEFAULT_MAX_FILE_BYTES, defaultMaxMemoryBytes, type InputLimits } from "../scenario/input-files.js";

/** The flags of {@link withInputOptions}, as yargs parses them. */
export interface InputArgs {
  "allow-path"?: string[];
  "max-file-size"?: number;
  "max-memory"?: number;
}

/** The flags of run and validate: the scenario, the results directory and --scale. */
export interface ScenarioArgs extends InputArgs {
  scenario: string;
  out: string;
  scale?: number;
}

/**
 * Adds the command's input file, the required positional `<file>` (a scenario or a study), and
 * `--allow-path DIR` (repeatable), `--max-file-size` and `--max-memory` (bytes or a quantity such
 * as 128Mi or 8Gi), the limits on what reading it may pull in.
 */
export function withInputOptions<T, K extends string>(
  y: Argv<T>,
  file: K,
  describe: string,
): Argv<T & InputArgs & Record<K, string>> {
  return y
    .positional(file, { type: "string", demandOption: true, describe })
    .option("allow-path", {
      type: "string",
      array: true,
      describe:
        "a directory outside the scenario's (or study's) own tree that its files may come from, or a study may write to (repeatable)",
    })
    .option("max-file-size", {
      type: "string",
      describe: `largest file read (default ${DEFAULT_MAX_FILE_BYTES / 2 ** 20}Mi)`,
      coerce: (v: unknown) => sizeFlag("--max-file-size", v),
    })
    .option("max-memory", {
      type: "string",
      describe: "largest estimated peak memory of a run (default: 3/4 of physical memory)",
      coerce: (v: unknown) => sizeFlag("--max-memory", v),
    }) as unknown as Argv<T & InputArgs & Record<K, string>>;
}

/** The `--scale` option of run and validate, checked by {@link scaleFlag}. */
export function scaleOption(describe: string) {
  return { type: "number", describe, coerce: scaleFlag } as const;
}

/** Checks `--scale` (a yargs coerce function: what it throws is a usage error, exit 1). */
function scaleFlag(v: number): number {
  if (!(v > 0 && Number.isFinite(v))) throw new Error(`--scale: expected a number > 0, found ${v}`);
  return v;
}

/** The limits the flags set, defaults for the rest. */
export function inputLimits(args: InputArgs): InputLimits {
  return {
    allowPaths: args["allow-path"] ?? [],
    maxFileBytes: args["max-file-size"] ?? DEFAULT_MAX_FILE_BYTES,
    maxMemoryBytes: args["max-memory"] ?? defaultMaxMemoryBytes(),
  };
}

/** A size flag in bytes (the last one when repeated); throws, as a yargs coerce function, when it is not a size >= 1. */
function sizeFlag(flag: string, v: unknown): number {
  const last: unknown = Array.isArray(v) ? v[v.length - 1] : v;
  const q = typeof last === "string" || typeof last === "number" ? parseQuantity(last) : undefined;
  if (q === undefined || !(q >= 1) || !Number.isFinite(q))
    throw new Error(`${flag}: expected a size in bytes or a quantity such as 128Mi or 8Gi, found ${String(last)}`);
  return Math.floor(q);
}
