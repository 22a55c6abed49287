import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository root (tests run from it). */
export const REPO = process.cwd();
const BIN = join(REPO, "bin", "simctl.js");

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Makes sure `dist/` (what `bin/simctl.js` runs) is built from the current sources: builds
 * when `dist/cli/main.js` is missing or older than a file in `src/`, one test file at a time
 * (a lock directory), so the CLI tests never run stale code.
 */
export function ensureDist(): void {
  const main = join(REPO, "dist", "cli", "main.js");
  const fresh = () => existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(REPO, "src"));
  if (fresh()) return;
  const lock = join(tmpdir(), `simctl-test-build-${process.getuid?.() ?? 0}.lock`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 1200) throw new Error(`build lock ${lock} held for 2 min`);
      Atomics.wait(cell, 0, 0, 100);
    }
  }
  try {
    if (!fresh()) execFileSync("npm", ["run", "-s", "build"], { cwd: REPO, stdio: "inherit" });
  } finally {
    rmdirSync(lock);
  }
}

/** The outcome of one `simctl` process. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/simctl.js ...args` in `cwd`; `done` settles when it exits. */
export function start(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Exit>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Runs `simctl ...args` to completion. */
export function simctl(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return start(args, options).done;
}

/** Waits until `path` exists (polling every 20 ms, at most `ms`). */
export async function waitFor(path: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
