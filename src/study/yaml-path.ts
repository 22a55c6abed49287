import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";

/** One step of a YAML path: a mapping key or a list index. */
export type PathSegment = string | number;

/**
 * Parses a scenario path such as `cluster.nodePools[0].count` or
 * `cluster.nodePools[0].labels["topology.kubernetes.io/zone"]` into segments.
 * Contract: keys are `[A-Za-z_][A-Za-z0-9_-]*` after a dot (or at the start), list indices are
 * `[n]`, and any key may be written quoted as `["..."]` (JSON string syntax). Returns an error
 * message instead of throwing.
 */
export function parseYamlPath(path: string): { segments: PathSegment[] } | { error: string } {
  const segments: PathSegment[] = [];
  let i = 0;
  const n = path.length;
  if (n === 0) return { error: "an empty path" };
  while (i < n) {
    const c = path[i]!;
    if (c === "[") {
      const close = path[i + 1] === '"' ? closingQuote(path, i + 1) : path.indexOf("]", i);
      if (close < 0) return { error: `an unclosed [ at character ${i + 1}` };
      if (path[i + 1] === '"') {
        if (path[close + 1] !== "]") return { error: `a ] after the quoted key at character ${close + 2}` };
        try {
          segments.push(JSON.parse(path.slice(i + 1, close + 1)) as string);
        } catch {
          return { error: `a valid quoted key at character ${i + 2}` };
        }
        i = close + 2;
      } else {
        const body = path.slice(i + 1, close);
        if (!/^[0-9]+$/.test(body)) return { error: `a list index [n] or a quoted key ["..."], found [${body}]` };
        segments.push(Number(body));
        i = close + 1;
      }
    } else {
      if (c === ".") {
        if (segments.length === 0) return { error: "a key before the first '.'" };
        i++;
      } else if (segments.length > 0) return { error: `a '.' or '[' at character ${i + 1}` };
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(path.slice(i));
      if (m === null) return { error: `a key at character ${i + 1}` };
      segments.push(m[0]);
      i += m[0].length;
    }
  }
  return { segments };
}

function closingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/** Formats segments back into the path syntax {@link parseYamlPath} reads. */
export function formatYamlPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Sets the value at `segments` in YAML `text` and returns the new text.
 * Contract: when the target node exists, only its characters are replaced (by the value in
 * JSON, which is YAML flow syntax), so comments, layout and the line numbers of every other
 * line are kept and a scenario error still points at the right line. When the target key is
 * absent, missing mappings are created and the document is re-serialised (comments are kept,
 * layout may change). A list index past the end, a key on a list or an index on a scalar is
 * an error (returned, not thrown).
 */
export function setYamlPath(
  text: string,
  segments: readonly PathSegment[],
  value: unknown,
): { text: string } | { error: string } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    return { error: `the document is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}` };
  let node: Node | null = doc.contents as Node | null;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const here = formatYamlPath(segments.slice(0, i)) || "the document root";
    if (node === null || (isScalar(node) && node.value === null)) {
      // An absent or null parent: create the rest of the path below it.
      if (typeof seg === "number") return { error: `${here} is absent, so index [${seg}] cannot be set` };
      return setByDocument(doc, segments, value);
    }
    if (typeof seg === "number") {
      if (!isSeq(node)) return { error: `${here} is not a list, so index [${seg}] does not exist` };
      if (seg >= node.items.length)
        return {
          error: `${here} has ${node.items.length} item${node.items.length === 1 ? "" : "s"}, so index [${seg}] is out of range`,
        };
      node = (node.items[seg] as Node | null) ?? null;
    } else {
      if (!isMap(node)) return { error: `${here} is not a mapping, so key ${JSON.stringify(seg)} does not exist` };
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (pair === undefined) return setByDocument(doc, segments, value);
      node = (pair.value as Node | null) ?? null;
    }
  }
  const range = node?.range;
  if (
    node === null ||
    range === undefined ||
    range === null ||
    (isScalar(node) && node.value === null && range[0] === range[1])
  ) {
    return setByDocument(doc, segments, value);
  }
  return { text: text.slice(0, range[0]) + JSON.stringify(value) + text.slice(range[1]) };
}

function setByDocument(
  doc: ReturnType<typeof parseDocument>,
  segments: readonly PathSegment[],
  value: unknown,
): { text: string } {
  doc.setIn(segments as PathSegment[], doc.createNode(value));
  return { text: doc.toString({ lineWidth: 0 }) };
}

/** Reads the plain value at `segments` in parsed YAML data (undefined when absent). */
export function getPath(data: unknown, segments: readonly PathSegment[]): unknown {
  let cur: unknown = data;
  for (const s of segments) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}
