import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import { checkOutputDir, makeDirs } from "../metrics/result-dir.js";
import { UserError } from "../study/user-error.js";

/**
 * Checks, before anything runs, that the file a flag names (`--out`, `--junit`, `--markdown`)
 * can be written: its directory exists or can be created, and the path is not a directory.
 * Throws a {@link UserError} with exit 2 otherwise.
 */
export function checkOutputFile(flag: string, path: string): void {
  checkOutputDir(flag, dirname(resolve(path)));
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // absent: it will be created
  }
  if (isDir) throw new UserError(`${flag} ${path}: expected a file name, found a directory`, 2);
}

/** Writes a checked output file atomically, creating its missing directories first. */
export function writeOutputFile(path: string, text: string): void {
  makeDirs(dirname(resolve(path)));
  writeFileAtomic(path, text);
}
