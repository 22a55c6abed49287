import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isMainThread, threadId } from "node:worker_threads";
import { UserError } from "../study/user-error.js";

/**
 * Result directories are replaced atomically: a run writes `<dir>.tmp-<host>-<pid>-<thread>/`,
 * then renames the old `<dir>` aside to `<dir>.aside-<host>-<pid>-<thread>/`, renames the new
 * one in and deletes the old one. A reader therefore sees the complete old directory or the
 * complete new one. A process killed in between leaves a temporary or an aside directory named
 * after its pid; the next writer of the same parent on the same host removes the temporary ones
 * of dead processes and restores an aside directory whose replacement never arrived. Entries of
 * other hosts (shards writing to a shared file system) are left alone: their pids mean nothing here.
 */
const LEFTOVER = /^(.+)\.(tmp|aside)-([A-Za-z0-9_]+)-([0-9]+)-([0-9]+)$/;
/** This machine's name as it appears in leftover names (letters, digits and `_`). */
const HOST =
  hostname()
    .replace(/[^A-Za-z0-9]/g, "_")
    .slice(0, 32) || "host";

/** The longest file name Linux and macOS file systems accept (NAME_MAX), in bytes. */
export const NAME_MAX_BYTES = 255;

/** Temporary directories this thread is filling now (removed if the process is interrupted). */
const active = new Set<string>();

function suffix(kind: "tmp" | "aside"): string {
  return `.${kind}-${HOST}-${process.pid}-${threadId}`;
}

/** The longest entry name a result directory named `name` needs (its temporary and aside names). */
export function resultEntryName(name: string): string {
  return `${name}.aside-${HOST}-${process.pid}-${2 ** 31}`;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Cleans what interrupted writers left in `parent`: temporary directories are removed, and an
 * aside directory is renamed back to its result directory when that is missing (the swap was
 * cut between its two renames), else removed. Entries of processes still alive are left alone;
 * with `own`, this process's entries are cleaned too (after an interrupt). Returns the names
 * of the directories it restored.
 */
export function recoverResultDirs(parent: string, own = false): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const restored: string[] = [];
  // Asides first, so that a result directory is restored before its temporary is removed.
  names.sort((a, b) => (a.includes(".aside-") ? 0 : 1) - (b.includes(".aside-") ? 0 : 1));
  for (const n of names) {
    const m = LEFTOVER.exec(n);
    if (m === null || m[3] !== HOST) continue;
    const pid = Number(m[4]);
    if (!(own && pid === process.pid) && alive(pid)) continue;
    const path = join(parent, n);
    const final = join(parent, m[1]!);
    if (m[2] === "aside" && !existsSync(final)) {
      renameSync(path, final);
      restored.push(m[1]!);
    } else rmSync(path, { recursive: true, force: true });
  }
  return restored;
}

/**
 * Writes the result directory `dir` atomically: `fill` writes the files into a temporary
 * directory that then replaces `dir` (see the module comment). Leftovers of dead writers in
 * the same parent are cleaned first. If `fill` throws, the temporary directory is removed and
 * `dir` is left as it was.
 *
 * With `SIMCTL_TEST_PAUSE=swap` in the environment, the writer creates `<parent>/.swap-paused`
 * and waits between the two renames until that file is removed (tests send signals there).
 */
export function writeResultDir(dir: string, fill: (tmp: string) => void): void {
  const parent = dirname(dir);
  makeDirs(parent);
  recoverResultDirs(parent);
  const tmp = `${dir}${suffix("tmp")}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  active.add(tmp);
  try {
    fill(tmp);
    const aside = `${dir}${suffix("aside")}`;
    const hadOld = existsSync(dir);
    if (hadOld) renameSync(dir, aside);
    if (process.env.SIMCTL_TEST_PAUSE === "swap") pauseForTest(join(parent, ".swap-paused"));
    renameSync(tmp, dir);
    if (hadOld) rmSync(aside, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    active.delete(tmp);
  }
}

/** Writes the marker and sleeps (without spinning) until it is removed, for at most 60 s. */
function pauseForTest(marker: string): void {
  writeFileSync(marker, `${process.pid}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 1200 && existsSync(marker); i++) Atomics.wait(cell, 0, 0, 50);
}

/**
 * Creates `dir` and its missing parents one level at a time. perf/safety: Node's
 * `mkdirSync(dir, { recursive: true })` retries forever under `/proc` (ENOENT from a parent
 * that exists), so it is not used for user-given paths.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]!);
}

/**
 * Checks, before anything is simulated, that result directories can be created in `dir`
 * (given by `flag`, e.g. `--out`): every existing part of the path is a directory and the
 * nearest existing one accepts a new entry (probed by creating and removing one). With
 * `entryNames`, also checks that each directory name to be created there (and its temporary
 * and aside names) fits the file system's name limit. Nothing is left behind.
 * Throws a {@link UserError} (exit code 2) naming the flag, the path and what is wrong.
 */
export function checkOutputDir(flag: string, dir: string, entryNames: readonly string[] = []): void {
  const where = `${flag} ${dir}`;
  for (const n of entryNames) {
    const bytes = Buffer.byteLength(resultEntryName(n));
    if (bytes > NAME_MAX_BYTES)
      throw new UserError(
        `${where}: the run directory name ${JSON.stringify(clip(n))} is too long for the file system (${Buffer.byteLength(n)} bytes; at most ${NAME_MAX_BYTES - (bytes - Buffer.byteLength(n))} fit with its temporary suffix)`,
        2,
      );
  }
  let d = resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        const up = dirname(d);
        if (up === d) throw new UserError(`${where}: no existing directory above it`, 2);
        d = up;
        continue;
      }
      if (code === "ENOTDIR") throw new UserError(`${where}: a part of the path is a file, not a directory`, 2);
      throw new UserError(`${where}: cannot be reached (${code ?? (e as Error).message})`, 2);
    }
    if (!isDir)
      throw new UserError(`${where}: expected a directory, found a file${d === resolve(dir) ? "" : ` (${d})`}`, 2);
    break;
  }
  const probe = join(d, `.simctl-probe${suffix("tmp")}`);
  try {
    mkdirSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "an error";
    throw new UserError(
      `${where}: cannot create directories in ${d === resolve(dir) ? "it" : d} (${code}${code === "EACCES" || code === "EPERM" || code === "EROFS" ? ": not writable" : ""})`,
      2,
    );
  }
  rmdirSync(probe);
}

function clip(s: string): string {
  return s.length <= 40 ? s : `${s.slice(0, 37)}...`;
}

/** Something to stop when the process is interrupted (a worker thread). */
export interface Interruptible {
  terminate(): Promise<unknown>;
}

const stoppable = new Set<Interruptible>();
const watched = new Set<string>();
let installed = false;
let interrupted = false;

/** Whether a SIGINT/SIGTERM is being handled: workers exiting now were stopped on purpose. */
export function interrupting(): boolean {
  return interrupted;
}

/**
 * Registers a worker to terminate and a parent directory to clean (this process's temporary
 * and aside directories) if the process is interrupted; returns a function that unregisters
 * the worker.
 */
export function onInterrupt(worker: Interruptible | undefined, parent: string): () => void {
  watched.add(resolve(parent));
  if (worker !== undefined) stoppable.add(worker);
  return () => {
    if (worker !== undefined) stoppable.delete(worker);
  };
}

/**
 * Installs the SIGINT and SIGTERM handlers of the command line (main thread, once): the first
 * signal terminates the registered workers, removes this process's temporary directories,
 * restores any result directory cut mid-swap, prints one line and exits with 128 + the
 * signal number (130, 143); a second signal exits at once. The handlers run when the event
 * loop is free: a command that simulates on the main thread is interrupted between runs.
 */
export function installInterruptHandlers(): void {
  if (installed || !isMainThread) return;
  installed = true;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (interrupted) process.exit(code);
    interrupted = true;
    void (async () => {
      await Promise.allSettled([...stoppable].map((w) => w.terminate()));
      for (const t of active) rmSync(t, { recursive: true, force: true });
      for (const p of watched) recoverResultDirs(p, true);
      process.stderr.write(`simctl: interrupted (${signal}); unfinished results removed\n`);
      process.exit(code);
    })();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
