import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from "node:fs";
import { totalmem } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/**
 * What a scenario (or study) may read and how big a run may get: set by `--allow-path`,
 * `--max-file-size` and `--max-memory` on `run`, `validate` and `sweep`.
 */
export interface InputLimits {
  /**
   * Directories, besides the scenario's own directory tree, that the files a scenario names
   * (`apply:`, `controlPlane.scheduler.config:`, a study's `scenario:`) may lie in, after
   * symbolic links are resolved.
   */
  allowPaths: readonly string[];
  /** Largest file read, in bytes (scenario, manifests, scheduler configuration, study). */
  maxFileBytes: number;
  /** Largest estimated peak memory of a run, in bytes (see estimate-memory.ts). */
  maxMemoryBytes: number;
  /**
   * Told of every file read successfully: its path (as resolved, before links), the path as
   * written and its text. `sweep --emit` collects a study's inputs with it; runs leave it unset.
   */
  onRead?: (path: string, written: string, text: string) => void;
}

/** Default `--max-file-size`: 64 MiB, far above any real manifest, far below a hang on /dev/zero. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 2 ** 20;

/** Default `--max-memory`: three quarters of the machine's physical memory. */
export function defaultMaxMemoryBytes(): number {
  return Math.floor(totalmem() * 0.75);
}

/** The limits used when the caller gives none. */
export function defaultInputLimits(): InputLimits {
  return { allowPaths: [], maxFileBytes: DEFAULT_MAX_FILE_BYTES, maxMemoryBytes: defaultMaxMemoryBytes() };
}

/** A file's text, or why it may not be read: the two halves of a located error, never its content. */
export type FileRead = { text: string } | { expected: string; found: string };

/** At most `max` characters of `s` (the rest replaced by an ellipsis), so that no message echoes a whole input. */
export function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

/** `s` quoted as JSON and clipped to 80 characters. */
export function quoteClipped(s: string): string {
  return clip(JSON.stringify(s));
}

/** The real path of a directory, or the directory as given when it does not exist (its files then fail to read). */
export function confinementRoot(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/** Whether `path` is `dir` or lies below it (both absolute and free of symbolic links). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Whether `path` lies in the directory tree of `root` (or is `root`), either of which may not
 * exist yet (an output directory): the symbolic links of the longest existing part of each are
 * resolved, so a link cannot lead out.
 */
export function insideTree(path: string, root: string): boolean {
  return isInside(realExisting(path), realExisting(root));
}

/** `path` with the symbolic links of its longest existing prefix resolved, the rest as written. */
function realExisting(path: string): string {
  let head = resolve(path);
  let tail = "";
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) return resolve(path);
    tail = tail === "" ? basename(head) : join(basename(head), tail);
    head = up;
  }
  const real = realpathSync(head);
  return tail === "" ? real : join(real, tail);
}

/**
 * Reads a file a scenario refers to, as `written` (relative to `baseDir`).
 * Contract: with a `root`, the file's real path (symbolic links resolved) must lie inside `root`
 * or inside one of `limits.allowPaths`; it must be a regular file (checked with stat before it is
 * opened, so a FIFO or a device is never opened) of at most `limits.maxFileBytes` (checked again
 * while reading, so a file that grows, or reports size 0 like those of /proc, cannot exceed it),
 * holding text (no NUL byte). Anything else returns what was expected and the offending value,
 * clipped to 80 characters, never the file's content.
 */
export function readInputFile(
  written: string,
  baseDir: string,
  root: string | undefined,
  limits: InputLimits,
): FileRead {
  const q = quoteClipped(written);
  const abs = resolve(baseDir, written);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    return { expected: "a readable file", found: `${q} (${errnoWords(e)})` };
  }
  if (root !== undefined && !isInside(real, root) && !limits.allowPaths.some((d) => isInside(real, confinementRoot(d))))
    return {
      expected: `a file inside ${clip(root, 60)}, the directory tree of the file naming it (--allow-path DIR allows another)`,
      found: real === abs ? q : `${q} (resolves to ${quoteClipped(real)})`,
    };
  let st: Stats;
  try {
    st = statSync(real);
  } catch (e) {
    return { expected: "a readable file", found: `${q} (${errnoWords(e)})` };
  }
  if (!st.isFile()) return { expected: "a regular file", found: `${q} (${kindOf(st)})` };
  const tooBig = (bytes: number) => ({
    expected: `a file of at most ${limits.maxFileBytes} bytes (--max-file-size raises the limit)`,
    found: `${q} (${bytes} bytes)`,
  });
  if (st.size > limits.maxFileBytes) return tooBig(st.size);
  let fd: number;
  try {
    // O_NONBLOCK: should the path be swapped for a FIFO after the stat, open does not wait for a writer.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    return { expected: "a readable file", found: `${q} (${errnoWords(e)})` };
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev)
      return { expected: "a regular file that does not change while it is read", found: q };
    const cap = limits.maxFileBytes;
    let buf = Buffer.allocUnsafe(Math.min(cap + 1, Math.max(st.size + 1, 4096)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > cap) return tooBig(n);
        const next = Buffer.allocUnsafe(Math.min(cap + 1, buf.length * 2));
        buf.copy(next, 0, 0, n);
        buf = next;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > cap) return tooBig(n);
    const bytes = buf.subarray(0, n);
    if (bytes.includes(0)) return { expected: "a text (YAML) file", found: `${q} (binary content)` };
    const text = bytes.toString("utf8");
    limits.onRead?.(abs, written, text);
    return { text };
  } catch (e) {
    return { expected: "a readable file", found: `${q} (${errnoWords(e)})` };
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

function errnoWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many symbolic links";
    case "ENAMETOOLONG":
      return "name too long";
    case "ENOTDIR":
      return "a path through something that is not a directory";
    case "EISDIR":
      return "a directory";
    default:
      return code ?? "unreadable";
  }
}
