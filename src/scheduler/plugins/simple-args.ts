import type { YamlReader } from "../../scenario/yaml-reader.js";

/** Checks that a plugin's args mapping only has `keys` (plus apiVersion / kind). */
export function argsObject(args: YamlReader | null, keys: readonly string[]): YamlReader | null {
  if (args === null || !args.present) return null;
  args.object(["apiVersion", "kind", ...keys]);
  return args;
}
