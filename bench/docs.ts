import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DOC_BLOCKS, readBlocks, replaceBlocks } from "./docs-blocks.js";
import { REPO_ROOT } from "./golden.js";

/**
 * `npm run docs -- [--only REGEX] [--deterministic]`: regenerates the marked blocks of
 * README.md (see docs-blocks.ts) from real runs and rewrites the file. Deterministic blocks
 * come out the same on every run; machine blocks (a short bench run, the walkthrough's sweeps
 * at full size through the CLI in dist/) are measured again. `--deterministic` skips the machine
 * blocks (seconds instead of minutes).
 */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { only: { type: "string" }, deterministic: { type: "boolean", default: false } },
  });
  const only = values.only === undefined ? undefined : new RegExp(values.only);
  process.chdir(REPO_ROOT);
  const file = join(REPO_ROOT, "README.md");
  const readme = readFileSync(file, "utf8");
  const present = readBlocks(readme);
  for (const name of present.keys())
    if (!DOC_BLOCKS.some((b) => b.name === name))
      throw new Error(`README.md has a block docs:${name} that bench/docs-blocks.ts does not generate`);
  const bodies = new Map<string, string>();
  for (const b of DOC_BLOCKS) {
    if (only !== undefined && !only.test(b.name)) continue;
    if (values.deterministic && b.kind === "machine") continue;
    const t0 = performance.now();
    bodies.set(b.name, await b.generate());
    const same = present.get(b.name) === bodies.get(b.name);
    process.stdout.write(
      `docs:${b.name} (${b.kind}) ${same ? "unchanged" : "updated"} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  writeFileSync(file, replaceBlocks(readme, bodies));
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`npm run docs: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 2;
}
