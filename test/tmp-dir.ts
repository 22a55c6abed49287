import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];

// Registered while vitest collects the test file that imports this module, on that file's
// top-level suite: vitest evaluates the modules afresh for each test file (`isolate`, its
// default, kept by vitest.config.ts), and imports run before the file's own hooks are
// registered, so this is the file's last afterAll to run (after hooks run in reverse order).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh empty directory `<os.tmpdir()>/<prefix>XXXXXX` (`mkdtempSync`) that is removed, with
 * everything in it, once the test file that made it has run.
 *
 * Contract: callable anywhere in a test file: the module or a `describe` body, a hook, a test,
 * a helper any of them calls. The directory outlives every test and hook of the file, so a test
 * may read what an earlier test or a `beforeAll` wrote there; it is gone after the file's last
 * `afterAll`, also when a test failed.
 */
export function tmpDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
