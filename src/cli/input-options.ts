import type { Argv } from "yargs";
import { parseQuantity } from "../cluster/resources.js";
import { DEFAULT_MAX_FILE_BYTES, defaultMaxMemoryBytes, type InputLimits } from "../scenario/input-files.js";

/** The flags of {@link withInputOptions}, as yargs parses them. */
export interface InputArgs {
  "allow-path"?: string[];
  "max-file-size"?: number;
  "max-memory"?: number;
}

/**
 * Adds `--allow-path DIR` (repeatable), `--max-file-size` and `--max-memory` (bytes or a
 * quantity such as 128Mi or 8Gi) to a command that reads scenarios.
 */
export function withInputOptions<T>(y: Argv<T>): Argv<T & InputArgs> {
  return y
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
    }) as unknown as Argv<T & InputArgs>;
}

/** Checks `--scale` (a yargs coerce function: what it throws is a usage error, exit 1). */
export function scaleFlag(v: number): number {
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
