import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The entry of a worker thread that runs a TypeScript module straight from the sources, for
 * when simctl itself runs from `src/` (under vitest) rather than from the compiled `dist/`:
 * Node 20 cannot load `.ts` files, so the worker first registers module hooks that map
 * `./x.js` imports to `./x.ts` when only the `.ts` exists and strip the types with the
 * TypeScript compiler (a dev dependency; never loaded when running from `dist/`).
 *
 * Contract: returns a `data:` URL to pass to `new Worker(url)`; the worker then imports
 * `moduleUrl` (a `file:` URL of a `.ts` module).
 */
export function sourceWorkerUrl(moduleUrl: URL): URL {
  const tsPath = createRequire(import.meta.url).resolve("typescript");
  const cacheDir = join(tmpdir(), `simctl-ts-cache-${process.getuid?.() ?? 0}`);
  const hooks = hooksSource(pathToFileURL(tsPath).href, cacheDir);
  const hooksUrl = `data:text/javascript,${encodeURIComponent(hooks)}`;
  const entry = `import { register } from "node:module";\nregister(${JSON.stringify(hooksUrl)});\nawait import(${JSON.stringify(moduleUrl.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(entry)}`);
}

// perf: transpiled modules are cached on disk by content hash, so the workers after the first
// neither load the TypeScript compiler (about 1 s each) nor transpile again.
function hooksSource(typescriptUrl: string, cacheDir: string): string {
  return `
import { readFileSync, existsSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
const cacheDir = ${JSON.stringify(cacheDir)};
let ts;
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent !== undefined && parent.startsWith("file:") && parent.endsWith(".ts") && specifier.endsWith(".js") && (specifier.startsWith("./") || specifier.startsWith("../"))) {
    const url = new URL(specifier, parent);
    if (!existsSync(fileURLToPath(url))) return { url: url.href.slice(0, -3) + ".ts", format: "module", shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith("file:") && url.endsWith(".ts")) {
    const file = fileURLToPath(url);
    const text = readFileSync(file, "utf8");
    const cached = join(cacheDir, createHash("sha256").update(file).update("\\0").update(text).digest("hex") + ".js");
    if (existsSync(cached)) return { format: "module", source: readFileSync(cached, "utf8"), shortCircuit: true };
    ts ??= (await import(${JSON.stringify(typescriptUrl)})).default;
    const out = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    });
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = cached + "." + process.pid + "." + Math.floor(performance.now() * 1000) + ".tmp";
      writeFileSync(tmp, out.outputText);
      renameSync(tmp, cached);
    } catch {}
    return { format: "module", source: out.outputText, shortCircuit: true };
  }
  return next(url, context);
}
`;
}
