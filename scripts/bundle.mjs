// Bundles the simctl command line into dist/ after `tsc -p tsconfig.build.json` (npm run build).
//
// perf: Node loads the compiled CLI as some 400 modules per thread (the main thread, then the
// run worker), resolving and reading each; one file per entry, plus chunks for the commands
// that are imported on demand, loads faster (see the commit that added this for the figures).
// The bundles replace the compiled entries (dist/cli/main.js, dist/cli/run-worker.js,
// dist/study/run-worker.js), so a dist/ built by tsc alone still works, unbundled.
//
// Every output file sits two levels below the package root, as the compiled modules under
// dist/<dir>/ do, and `import.meta.url` in each source module is replaced by the URL its
// compiled file would have (dist/<path>.js), so paths a module finds next to itself (the run
// worker, the kubelet profiles, the source checkout) resolve as they do unbundled.
import { readFile, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

/** `import.meta.url` of src/<path>.ts, seen from a file two levels below the package root. */
const moduleUrl = {
  name: "module-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const compiled = `../${relative(src, args.path).replaceAll("\\", "/").replace(/\.ts$/, ".js")}`;
      return {
        contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(compiled)}, import.meta.url).href`),
        loader: "ts",
      };
    });
  },
};

// Chunk names carry a content hash: those of an earlier build would pile up.
await rm(join(root, "dist", "chunks"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["src/cli/main.ts", "src/cli/run-worker.ts", "src/study/run-worker.ts"],
  outbase: "src",
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  // Loaded from node_modules as they are: parquet-wasm reads its .wasm next to itself; the
  // report's Vega packages are big and only `simctl report` loads them.
  external: ["parquet-wasm", "vega", "vega-lite"],
  // The CommonJS packages bundled (seedrandom) call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __simctlRequire } from "node:module";\nconst require = __simctlRequire(import.meta.url);' },
  plugins: [moduleUrl],
  logLevel: "warning",
});
