import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Alias,
  type Document,
  type Node,
} from "yaml";
import type { DistSpec } from "../core/distributions.js";
import { parseDurationNs } from "../core/time.js";
import { parseQuantity } from "../cluster/resources.js";
import { dirname, resolve } from "node:path";
import { clip, confinementRoot, defaultInputLimits, readInputFile, type InputLimits } from "./input-files.js";
import { InputReport } from "./inputs/input-report.js";
import { didYouMean, formatIssue, ScenarioError, type ScenarioIssue } from "./scenario-error.js";

/**
 * The yaml library's bound on alias expansion (its `maxAliasCount` option, default 100): a
 * document whose aliases would expand further is refused, as a "billion laughs" guard.
 */
export const MAX_ALIAS_COUNT = 100;

/** How a file is read: what it may refer to, and the `--scale` factor applied to its counts. */
export interface ReadOptions {
  limits?: InputLimits;
  /** Size factor for counts (see scale-nodes.ts); 1 = as written. */
  scale?: number;
  /** Where what the inputs hold but the run does not simulate is reported (shared by every file a scenario names). */
  inputs?: InputReport;
}

/** Shared by all readers of one file: where issues go and how offsets become line:column. */
export class ReadContext {
  readonly file: string;
  readonly issues: ScenarioIssue[] = [];
  readonly limits: InputLimits;
  readonly scale: number;
  readonly inputs: InputReport;
  private readonly lines: LineCounter;
  /** Issues already reported, formatted: a manifest stamped `copies:` times reports each problem once. */
  private readonly seen = new Set<string>();

  constructor(file: string, lines: LineCounter, options: ReadOptions = {}) {
    this.file = file;
    this.lines = lines;
    this.limits = options.limits ?? defaultInputLimits();
    this.scale = options.scale ?? 1;
    this.inputs = options.inputs ?? new InputReport();
  }

  /** `file:line` of an offset in this file, for the input report. */
  site(offset: number): string {
    return `${this.file}:${this.lines.linePos(offset).line}`;
  }

  /** Options that read another file the same way (limits, scale, input report). */
  get options(): ReadOptions {
    return { limits: this.limits, scale: this.scale, inputs: this.inputs };
  }

  report(path: string, offset: number, expected: string, found: string, hint?: string): void {
    const pos = this.lines.linePos(offset);
    const issue: ScenarioIssue = { file: this.file, path, line: pos.line, column: pos.col, expected, found };
    if (hint !== undefined) issue.hint = hint;
    this.add(issue);
  }

  /** Adds issues found in another file (a manifest, a scheduler configuration), once each. */
  absorb(issues: readonly ScenarioIssue[]): void {
    for (const i of issues) this.add(i);
  }

  private add(issue: ScenarioIssue): void {
    const key = formatIssue(issue);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.issues.push(issue);
  }

  /**
   * Reads the file this node names (a path relative to this context's file): confined to that
   * file's directory tree (or `--allow-path`), a regular file within the size limit. Reports a
   * located issue and returns undefined otherwise.
   */
  readReferenced(r: YamlReader, what: string): { path: string; text: string } | undefined {
    const written = r.str({ expected: `the path of ${what}, relative to this file` });
    if (written === "") return undefined;
    const read = readInputFile(written, dirname(this.file), this.treeRoot, this.limits);
    if ("text" in read) return { path: resolve(dirname(this.file), written), text: read.text };
    r.ctx.report(r.path, r.offset, `${what}: ${read.expected}`, read.found);
    return undefined;
  }

  private root: string | undefined;

  /** The directory tree the files named here must lie in: this file's directory, links resolved. */
  get treeRoot(): string {
    this.root ??= confinementRoot(dirname(this.file));
    return this.root;
  }

  /** Throws a {@link ScenarioError} carrying every issue reported so far, if any. */
  throwIfIssues(): void {
    if (this.issues.length > 0) throw new ScenarioError(this.issues);
  }
}

/**
 * Parses YAML text (one or more `---` documents) into readers. Syntax errors (a duplicate key
 * among them) are reported with their location and thrown at once, since nothing after them can
 * be trusted. Aliases are then expanded in place, as YAML defines them (an alias stands for its
 * anchored node), within {@link MAX_ALIAS_COUNT}; an alias without an anchor before it, inside its
 * own anchor, or beyond the bound is a located error.
 */
export function readYamlDocuments(
  file: string,
  text: string,
  options: ReadOptions = {},
): { ctx: ReadContext; docs: YamlReader[] } {
  const lines = new LineCounter();
  const docs: Document.Parsed[] = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  }) as Document.Parsed[];
  const ctx = new ReadContext(file, lines, options);
  for (const d of docs) {
    for (const e of d.errors) {
      if (e.code === "DUPLICATE_KEY") ctx.report("", e.pos[0], "each key once in a mapping", "a duplicate key");
      else ctx.report("", e.pos[0], "valid YAML", clip(JSON.stringify(e.message.split("\n")[0])));
    }
  }
  ctx.throwIfIssues();
  for (const d of docs) expandAliases(ctx, d);
  ctx.throwIfIssues();
  return { ctx, docs: docs.map((d) => new YamlReader(ctx, d.contents as Node | null, "", 0)) };
}

/** Replaces every alias of `doc` by a copy of its anchored node (see {@link readYamlDocuments}). */
function expandAliases(ctx: ReadContext, doc: Document.Parsed): void {
  let first: Alias | undefined;
  visit(doc, {
    Alias(_key, alias, ancestors) {
      first ??= alias;
      const target = alias.resolve(doc);
      const at = alias.range?.[0] ?? 0;
      const path = pathOf(ancestors, alias);
      if (target === undefined)
        ctx.report(path, at, "an alias to an anchor defined before it", clip(`*${alias.source}`));
      else if (ancestors.includes(target))
        ctx.report(path, at, "an alias outside the node its anchor names", clip(`*${alias.source} inside it`));
    },
  });
  if (first === undefined || ctx.issues.length > 0) return;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    ctx.report(
      "",
      first.range?.[0] ?? 0,
      `aliases within the yaml library's bound (maxAliasCount ${MAX_ALIAS_COUNT})`,
      "aliases that expand further (a resource exhaustion guard)",
    );
    return;
  }
  visit(doc, {
    Alias(_key, alias) {
      const copy = (alias.resolve(doc) as Node).clone() as Node;
      if (!isAlias(copy)) copy.anchor = undefined;
      if (alias.range !== undefined && alias.range !== null) copy.range = alias.range;
      return copy;
    },
  });
}

/** The YAML path of `node` below `ancestors` (as visit passes them), e.g. `spec.tolerations[0]`. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  let out = "";
  for (let i = 0; i < ancestors.length; i++) {
    const a = ancestors[i];
    const child = i + 1 < ancestors.length ? ancestors[i + 1] : node;
    if (isPair(a)) {
      if (a.value === child) {
        const k = a.key;
        const key = isScalar(k) ? String(k.value) : "";
        out = out === "" ? key : `${out}.${key}`;
      }
    } else if (isSeq(a)) out += `[${a.items.indexOf(child as never)}]`;
  }
  return out;
}

interface Bounds {
  min?: number;
  max?: number;
}

/**
 * A cursor on one YAML node and its path. Each typed accessor returns the value or, when the
 * node is missing or wrong, records a located issue and returns a placeholder; the loader
 * throws all issues at once before anything runs. A default is used only when the key is
 * absent, never when it is present but wrong.
 */
export class YamlReader {
  readonly ctx: ReadContext;
  readonly node: Node | null;
  readonly path: string;
  /** Offset to report at when the node is absent (its parent's position). */
  private readonly fallbackOffset: number;

  constructor(ctx: ReadContext, node: Node | null | undefined, path: string, fallbackOffset: number) {
    this.ctx = ctx;
    this.node = node ?? null;
    this.path = path;
    this.fallbackOffset = fallbackOffset;
  }

  get present(): boolean {
    return this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  get offset(): number {
    return this.node?.range?.[0] ?? this.fallbackOffset;
  }

  /** Records an issue at this node. */
  fail(expected: string, hint?: string): void {
    this.ctx.report(this.path, this.offset, expected, this.describe(), hint);
  }

  /** What the node holds, in words, for "found ..." in messages. */
  describe(): string {
    const n = this.node;
    if (!this.present || n === null) return "nothing";
    if (isMap(n)) return "a mapping";
    if (isSeq(n)) return "a list";
    if (isScalar(n)) return clip(typeof n.value === "string" ? JSON.stringify(n.value) : String(n.value));
    return "an unsupported YAML node";
  }

  isMap(): boolean {
    return this.node !== null && isMap(this.node);
  }

  isList(): boolean {
    return this.node !== null && isSeq(this.node);
  }

  /**
   * Treats the node as a mapping with the given keys. Unknown keys are reported with a
   * did-you-mean; returns false (after reporting) when the node is not a mapping.
   */
  object(allowed: readonly string[]): boolean {
    if (!this.present) return false;
    const n = this.node;
    if (n === null || !isMap(n)) {
      this.fail(`a mapping with keys ${allowed.join(", ")}`);
      return false;
    }
    for (const pair of n.items) {
      const k = pair.key as Node;
      const key = isScalar(k) ? String(k.value) : "";
      if (!allowed.includes(key)) {
        const guess = didYouMean(key, allowed);
        this.ctx.report(
          this.join(key),
          k.range?.[0] ?? this.offset,
          `one of the keys ${allowed.join(", ")}`,
          `unknown key ${clip(JSON.stringify(key))}`,
          guess === undefined ? undefined : `did you mean "${guess}"?`,
        );
      }
    }
    return true;
  }

  /** The child at `key` (absent children are readers whose `present` is false). */
  get(key: string): YamlReader {
    const n = this.node;
    let child: Node | null = null;
    if (n !== null && isMap(n)) {
      for (const pair of n.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key) child = (pair.value as Node | null) ?? null;
      }
    }
    return new YamlReader(this.ctx, child, this.join(key), this.offset);
  }

  has(key: string): boolean {
    return this.get(key).present;
  }

  /** Items of a list; reports and returns [] when the node is not a list. */
  list(expected = "a list"): YamlReader[] {
    if (!this.present) return [];
    const n = this.node;
    if (n === null || !isSeq(n)) {
      this.fail(expected);
      return [];
    }
    return n.items.map((item, i) => new YamlReader(this.ctx, item as Node, `${this.path}[${i}]`, this.offset));
  }

  /** Key/value pairs of a free-form mapping (labels, resources). */
  entries(expected = "a mapping"): [string, YamlReader][] {
    if (!this.present) return [];
    const n = this.node;
    if (n === null || !isMap(n)) {
      this.fail(expected);
      return [];
    }
    return n.items.map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      return [
        key,
        new YamlReader(
          this.ctx,
          pair.value as Node | null,
          this.join(key),
          (pair.key as Node).range?.[0] ?? this.offset,
        ),
      ];
    });
  }

  /** The plain JS value of the node (for manifests passed through). */
  value(): unknown {
    const n = this.node;
    if (n === null) return undefined;
    return (n as { toJSON(): unknown }).toJSON();
  }

  /**
   * A reader kept in a resolved scenario (a scheduler plugin's args) is, in JSON, the value it
   * reads: run and scenario hashes then hold what was written, not the file it was read from
   * nor this machine's limits (the context's), so they agree across machines and directories.
   */
  toJSON(): unknown {
    return this.value();
  }

  private scalar(): unknown {
    const n = this.node;
    return n !== null && isScalar(n) ? n.value : undefined;
  }

  private required(expected: string): void {
    this.ctx.report(this.path, this.offset, expected, "nothing (the key is required)");
  }

  str(opts: { default?: string; pattern?: RegExp; expected?: string } = {}): string {
    const expected = opts.expected ?? "a string";
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required(expected);
      return "";
    }
    const v = this.scalar();
    if (typeof v !== "string" || (opts.pattern !== undefined && !opts.pattern.test(v))) {
      this.fail(expected);
      return "";
    }
    return v;
  }

  num(opts: Bounds & { default?: number; integer?: boolean } = {}): number {
    const expected = describeBounds(opts.integer === true ? "an integer" : "a number", opts);
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required(expected);
      return opts.min ?? 0;
    }
    const v = this.scalar();
    if (
      typeof v !== "number" ||
      !Number.isFinite(v) ||
      (opts.integer === true && !Number.isInteger(v)) ||
      !inBounds(v, opts)
    ) {
      this.fail(expected);
      return opts.min ?? 0;
    }
    return v;
  }

  int(opts: Bounds & { default?: number } = {}): number {
    return this.num({ ...opts, integer: true });
  }

  bool(opts: { default?: boolean } = {}): boolean {
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required("true or false");
      return false;
    }
    const v = this.scalar();
    if (typeof v !== "boolean") {
      this.fail("true or false");
      return false;
    }
    return v;
  }

  /** A list whose items are each one of `values`; all of `values` (a copy, in order) when absent. */
  subsetOf<T extends string>(values: readonly T[]): T[] {
    return this.present ? this.list().map((v) => v.oneOf(values)) : [...values];
  }

  oneOf<T extends string>(values: readonly T[], opts: { default?: T } = {}): T {
    const expected = `one of ${values.join(", ")}`;
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required(expected);
      return values[0]!;
    }
    const v = this.scalar();
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
      const guess = typeof v === "string" ? didYouMean(v, values) : undefined;
      this.fail(expected, guess === undefined ? undefined : `did you mean "${guess}"?`);
      return values[0]!;
    }
    return v as T;
  }

  /** A duration with a unit (`250us`, `5ms`, `2s`, `1m`, `1h`) in integer nanoseconds. */
  duration(opts: Bounds & { default?: number } = {}): number {
    const expected = `${describeBounds("a duration", opts, true)} with a unit (ns, us, ms, s, m, h), e.g. 250ms`;
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required(expected);
      return 0;
    }
    const v = this.scalar();
    const ns = typeof v === "string" ? parseDurationNs(v) : v === 0 ? 0 : undefined;
    if (ns === undefined || !inBounds(ns, opts)) {
      this.fail(expected, typeof v === "number" ? `write the unit, e.g. "${v}ms" or "${v}s"` : undefined);
      return 0;
    }
    return ns;
  }

  /** A Kubernetes quantity (`500m`, `4`, `16Gi`) in base units. */
  quantity(opts: Bounds & { default?: number; expected?: string } = {}): number {
    const expected = describeBounds(opts.expected ?? "a Kubernetes quantity such as 500m, 4 or 16Gi", opts);
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required(expected);
      return 0;
    }
    const v = this.scalar();
    const q = typeof v === "string" || typeof v === "number" ? parseQuantity(v) : undefined;
    if (q === undefined || !inBounds(q, opts)) {
      this.fail(expected);
      return 0;
    }
    return q;
  }

  /** A bandwidth such as `10Gbps`, `800Mbps`, `100MB/s`, `1GiB/s`, in bytes per second. */
  bandwidth(opts: { default?: number } = {}): number {
    const expected = "a bandwidth such as 10Gbps, 800Mbps, 100MB/s or 1GiB/s";
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required(expected);
      return 0;
    }
    const v = this.scalar();
    const bps = typeof v === "string" ? parseBandwidth(v) : undefined;
    if (bps === undefined || !(bps > 0)) {
      this.fail(expected);
      return 0;
    }
    return bps;
  }

  /**
   * A latency distribution: a bare duration (constant) or `{ dist: lognormal, p50, p99 }`,
   * `{ dist: constant, value }`, `{ dist: uniform, min, max }`, `{ dist: exponential, mean }`,
   * `{ dist: normal, mean, stddev }`, `{ dist: empirical, quantiles: { 0: 1ms, 0.5: 2ms, 1: 9ms } }`.
   */
  dist(opts: { default?: DistSpec } = {}): DistSpec {
    if (!this.present) {
      if (opts.default !== undefined) return opts.default;
      this.required("a duration or a distribution such as { dist: lognormal, p50: 1ms, p99: 5ms }");
      return { kind: "constant", value: 0 };
    }
    if (!this.isMap()) return { kind: "constant", value: this.duration() };
    const kind = this.get("dist").oneOf([
      "constant",
      "uniform",
      "exponential",
      "normal",
      "lognormal",
      "empirical",
    ] as const);
    const keys: Record<typeof kind, readonly string[]> = {
      constant: ["value"],
      uniform: ["min", "max"],
      exponential: ["mean"],
      normal: ["mean", "stddev"],
      lognormal: ["p50", "p99"],
      empirical: ["quantiles"],
    };
    this.object(["dist", ...keys[kind]]);
    switch (kind) {
      case "constant":
        return { kind, value: this.get("value").duration() };
      case "uniform": {
        const min = this.get("min").duration();
        const max = this.get("max").duration();
        if (max < min) this.get("max").fail(`a duration no less than min (${min} ns)`);
        return { kind, min, max };
      }
      case "exponential":
        return { kind, mean: this.get("mean").duration({ min: 1 }) };
      case "normal":
        return { kind, mean: this.get("mean").duration(), stddev: this.get("stddev").duration() };
      case "lognormal": {
        const p50 = this.get("p50").duration({ min: 1 });
        const p99r = this.get("p99");
        const p99 = p99r.duration({ min: 1 });
        if (p99 < p50) p99r.fail(`a duration no less than p50 (${p50} ns)`);
        return { kind, p50, p99 };
      }
      case "empirical": {
        const q = this.get("quantiles");
        const pairs = q.entries("a mapping from quantile (0 to 1) to duration, with 0 and 1 included");
        const quantiles: number[] = [];
        const values: number[] = [];
        for (const [k, r] of pairs) {
          const p = Number(k);
          if (!(p >= 0 && p <= 1)) r.fail("a quantile key between 0 and 1");
          quantiles.push(p);
          values.push(r.duration());
        }
        const order = quantiles.map((_, i) => i).sort((a, b) => quantiles[a]! - quantiles[b]!);
        const qs = order.map((i) => quantiles[i]!);
        const vs = order.map((i) => values[i]!);
        if (qs[0] !== 0 || qs[qs.length - 1] !== 1) q.fail("quantiles that include 0 and 1");
        for (let i = 1; i < vs.length; i++)
          if (vs[i]! < vs[i - 1]!) q.fail("values that do not decrease as the quantile grows");
        return { kind, quantiles: qs, values: vs };
      }
    }
  }

  private join(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }
}

function inBounds(v: number, b: Bounds): boolean {
  return (b.min === undefined || v >= b.min) && (b.max === undefined || v <= b.max);
}

function describeBounds(what: string, b: Bounds, ns = false): string {
  const t = ns ? durationText : String;
  if (b.min !== undefined && b.max !== undefined) return `${what} from ${t(b.min)} to ${t(b.max)}`;
  if (b.min !== undefined) return `${what} >= ${t(b.min)}`;
  if (b.max !== undefined) return `${what} <= ${t(b.max)}`;
  return what;
}

/** Units a scenario writes durations in, largest first, in ns. */
const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ["h", 3_600_000_000_000],
  ["m", 60_000_000_000],
  ["s", 1_000_000_000],
  ["ms", 1_000_000],
  ["us", 1_000],
];

/** `ns` as the scenario would write it, in the largest unit that divides it: 2400h, 250ms, 1ns. */
function durationText(ns: number): string {
  for (const [unit, size] of DURATION_UNITS) if (ns !== 0 && ns % size === 0) return `${ns / size}${unit}`;
  return `${ns}ns`;
}

const BANDWIDTH_RE =
  /^\s*([0-9]+(?:\.[0-9]+)?)\s*(bps|Kbps|Mbps|Gbps|Tbps|B\/s|KB\/s|MB\/s|GB\/s|KiB\/s|MiB\/s|GiB\/s)\s*$/;
const BANDWIDTH_UNIT: Record<string, number> = {
  bps: 1 / 8,
  Kbps: 1e3 / 8,
  Mbps: 1e6 / 8,
  Gbps: 1e9 / 8,
  Tbps: 1e12 / 8,
  "B/s": 1,
  "KB/s": 1e3,
  "MB/s": 1e6,
  "GB/s": 1e9,
  "KiB/s": 2 ** 10,
  "MiB/s": 2 ** 20,
  "GiB/s": 2 ** 30,
};

/** Bits-per-second (`Gbps`) or bytes-per-second (`MB/s`) text to bytes per second. */
export function parseBandwidth(text: string): number | undefined {
  const m = BANDWIDTH_RE.exec(text);
  return m === null ? undefined : Number(m[1]) * BANDWIDTH_UNIT[m[2]!]!;
}
