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

/** The `--scale` option (run, validate, compare, sweep, baseline): a number > 0. */
export function scaleOption(describe: string) {
  return numberOption("--scale", describe, { min: 0, minExclusive: true });
}

/** The `--confidence` option (compare, gate): the two-sided interval's level, in (0, 1), default 0.95. */
export function confidenceOption() {
  return numberOption(
    "--confidence",
    "confidence level of the intervals",
    { min: 0, minExclusive: true, max: 1, maxExclusive: true },
    0.95,
  );
}

/** What a numeric flag's value must be: a whole number or not, and its bounds. */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** The value must be above `min`, not equal to it. */
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
}

/** `--seed` everywhere: a whole number a scenario's `seed:` accepts. */
export const SEED_RULE: NumberRule = { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER };

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const WHOLE = /^[+-]?[0-9]+$/;

/**
 * A numeric flag checked as the scenario loader checks YAML numbers: plain decimal text (no
 * `0x10`, no empty value) within `rule`, else a usage error (exit 1) naming the flag, what it
 * expects and what it found, before the command runs. Repeated, the last value counts. The
 * option's yargs type is string so that the message can quote the text as typed (`-4`, `abc`).
 */
export function numberOption(flag: string, describe: string, rule: NumberRule): NumberOption;
export function numberOption(
  flag: string,
  describe: string,
  rule: NumberRule,
  defaultValue: number,
): NumberOption & { default: number };
export function numberOption(flag: string, describe: string, rule: NumberRule, defaultValue?: number): NumberOption {
  return {
    type: "string",
    // The help's type tag says string (the text is checked here): say what the value must be.
    describe: `${describe}; ${expected(rule)}`,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    coerce: (v: unknown): number => checkNumber(flag, v, rule),
  };
}

/** A yargs option declaration of {@link numberOption}: parsed as text, coerced to a checked number. */
export interface NumberOption {
  type: "string";
  describe: string;
  coerce: (v: unknown) => number;
}

/** What `rule` asks for, in words: `a whole number >= 0`. */
function expected(rule: NumberRule): string {
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`${rule.minExclusive ? ">" : ">="} ${rule.min}`);
  if (rule.max !== undefined && rule.max < Number.MAX_SAFE_INTEGER)
    parts.push(`${rule.maxExclusive ? "<" : "<="} ${rule.max}`);
  return `${rule.integer ? "a whole number" : "a number"}${parts.length > 0 ? ` ${parts.join(" and ")}` : ""}`;
}

/** Checks one numeric flag value (a yargs coerce function: what it throws is a usage error). */
export function checkNumber(flag: string, v: unknown, rule: NumberRule): number {
  const last: unknown = Array.isArray(v) ? v[v.length - 1] : v;
  const text = typeof last === "number" ? String(last) : typeof last === "string" ? last.trim() : "";
  const x = (rule.integer ? WHOLE : DECIMAL).test(text) ? Number(text) : NaN;
  const ok =
    Number.isFinite(x) &&
    (!rule.integer || Number.isSafeInteger(x)) &&
    (rule.min === undefined || (rule.minExclusive ? x > rule.min : x >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? x < rule.max : x <= rule.max));
  if (!ok)
    throw new Error(
      `${flag}: expected ${expected(rule)}, found ${last === undefined || text === "" ? "no value" : JSON.stringify(text)}`,
    );
  return x;
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
