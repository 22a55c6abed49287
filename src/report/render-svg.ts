import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Renders a Vega-Lite spec to an SVG string in Node, with Vega's own headless renderer (no
 * browser, no canvas). Contract: the spec must carry its data inline (`data.values`); nothing
 * is fetched. The SVG has a `viewBox`, so the page can scale it.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new View(parse(vg), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
