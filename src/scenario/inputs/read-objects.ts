import { readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { confinementRoot, isInside, quoteClipped, readInputFile } from "../input-files.js";
import { ScenarioError } from "../scenario-error.js";
import { readYamlDocuments, type ReadContext, type YamlReader } from "../yaml-reader.js";

/** One Kubernetes object of an input: its reader (located in its own file), its kind, and where it starts. */
export interface InputObject {
  r: YamlReader;
  kind: string;
  /** `file:line` of the object, for the input report. */
  site: string;
}

/** Extensions of the files a directory input may hold. */
const OBJECT_FILE = /\.(ya?ml|json)$/;
/** Directory entries read at most (a guard against pointing at /). */
const MAX_ENTRIES = 100_000;

/**
 * The Kubernetes objects of the path `r` names (relative to `r`'s file): a file, or a directory
 * read recursively in sorted order (byte order of names, so every machine reads the same order).
 * `r` may also be a list of such paths. Each file may hold several `---` documents, YAML or JSON (JSON is YAML), and a document of kind
 * `List` (what `kubectl get ... -o yaml` writes) or `<Kind>List` stands for its items.
 *
 * Contract: every file obeys readInputFile's rules (confined to the naming file's tree or
 * --allow-path, regular, within the size limit); a directory entry that is not a .yaml, .yml or
 * .json file, a document or List item without `kind`, and every problem inside a file are
 * reported as located issues on `r.ctx` (issues inside a file carry that file's name and
 * line). `visit` reads each object in turn, before its file's issues are collected.
 */
export function readObjects(r: YamlReader, what: string, visit: (o: InputObject) => void): void {
  if (r.isList()) {
    // A list of paths (what simctl import writes): each read in turn, in the order given.
    for (const item of r.list()) readObjects(item, what, visit);
    return;
  }
  const ctx = r.ctx;
  const written = r.str({ expected: `the path of ${what} (a file or a directory), relative to this file` });
  if (written === "") return;
  const abs = resolve(dirname(ctx.file), written);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    // readInputFile below reports the missing or unreadable path.
  }
  const files: string[] = [];
  if (isDir) {
    const real = realpathSync(abs);
    if (!allowed(ctx, real)) {
      r.fail(
        `a directory inside ${ctx.treeRoot}, the directory tree of the file naming it (--allow-path DIR allows another)`,
      );
      return;
    }
    listTree(r, real, files);
    if (files.length === 0) r.fail(`${what}: a directory holding at least one .yaml, .yml or .json file`);
  } else {
    files.push(written);
  }
  for (const f of files) {
    // Entries of a directory are named relative to the naming file, as the user would write them.
    const read = readInputFile(f, dirname(ctx.file), ctx.treeRoot, ctx.limits);
    if (!("text" in read)) {
      ctx.report(r.path, r.offset, `${what}: ${read.expected}`, read.found);
      continue;
    }
    try {
      const parsed = readYamlDocuments(resolve(dirname(ctx.file), f), read.text, ctx.options);
      for (const d of parsed.docs) objectsOf(d, visit);
      ctx.absorb(parsed.ctx.issues);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      ctx.absorb(e.issues);
    }
  }
}

function allowed(ctx: ReadContext, real: string): boolean {
  return isInside(real, ctx.treeRoot) || ctx.limits.allowPaths.some((d) => isInside(real, confinementRoot(d)));
}

function listTree(r: YamlReader, dir: string, into: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    r.fail(`a readable directory (${quoteClipped(dir)} is not)`);
    return;
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    if (into.length >= MAX_ENTRIES) {
      r.fail(`a directory of at most ${MAX_ENTRIES} files`);
      return;
    }
    const p = join(dir, name);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      r.ctx.report(r.path, r.offset, "readable directory entries", quoteClipped(p));
      continue;
    }
    if (st.isDirectory()) {
      const real = realpathSync(p);
      if (!allowed(r.ctx, real)) {
        r.ctx.report(r.path, r.offset, "directory entries inside the directory tree", quoteClipped(p));
        continue;
      }
      listTree(r, real, into);
    } else if (OBJECT_FILE.test(name)) {
      into.push(relative(dirname(r.ctx.file), p));
    } else {
      r.ctx.report(
        r.path,
        r.offset,
        "a directory of Kubernetes objects: only .yaml, .yml and .json files",
        `${quoteClipped(p)} (not a YAML or JSON file)`,
      );
    }
  }
}

/** Appends the objects of one document: itself, or a List's items. */
function objectsOf(d: YamlReader, visit: (o: InputObject) => void): void {
  if (!d.present) return;
  if (!d.isMap()) {
    d.fail("a Kubernetes object (a mapping with apiVersion, kind, metadata)");
    return;
  }
  const kind = d.get("kind");
  if (!kind.present) {
    kind.fail("the object's kind (every object of an input must say what it is)");
    return;
  }
  const k = kind.str();
  if (k === "List" || (k.endsWith("List") && k.length > 4)) {
    // model: a typed list (PodList) may leave its items' kind out; a v1 List must not.
    const itemKind = k === "List" ? undefined : k.slice(0, -4);
    for (const it of d.get("items").list(`a list of objects (items of a ${k})`)) {
      if (!it.isMap()) {
        it.fail("a Kubernetes object (a mapping with apiVersion, kind, metadata)");
        continue;
      }
      const ik = it.get("kind");
      if (!ik.present && itemKind === undefined) {
        ik.fail("the item's kind (each item of a List says what it is)");
        continue;
      }
      visit({ r: it, kind: ik.present ? ik.str() : itemKind!, site: it.ctx.site(it.offset) });
    }
    return;
  }
  visit({ r: d, kind: k, site: d.ctx.site(d.offset) });
}
