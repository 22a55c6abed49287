/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A rendered chart for the page. */
export interface ChartBlock {
  /** Stable id (`startup-cdf`, `sweep-nodes-used`...), set as `data-chart` on its figure. */
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** The same chart drawn for a narrow screen (charts.ts narrowSpec), shown below {@link NARROW_BELOW_PX}. */
  narrowSvg: string;
}

/**
 * Below this viewport width the page shows each chart's narrow rendering: the wide one (about
 * 700 px) would be scaled under 0.9 there, its 11 px labels under 10 px.
 */
export const NARROW_BELOW_PX = 720;

/** A table for the page: header cells and rows of cells (text, escaped when written). */
export interface TableBlock {
  title: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
}

// Narrow screens: each chart's narrow rendering, less padding; wide tables scroll in their own
// box and long names wrap, so the page itself never scrolls sideways.
const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #666; margin: 0 0 16px; overflow-wrap: anywhere; }
figure.chart { margin: 16px 0; padding: 12px; border: 1px solid #e3e3e3; border-radius: 6px; min-width: 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.chart .narrow { display: none; }
figcaption { color: #555; margin-bottom: 8px; } figcaption b { color: #222; }
.table { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; overflow-wrap: anywhere; min-width: 8em; } th { background: #f6f6f6; }
th:not(:first-child), td:not(:first-child) { white-space: nowrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(460px, 100%), 1fr)); gap: 0 16px; }
.ok { color: #070; } .bad { color: #b00; }
@media (max-width: ${NARROW_BELOW_PX - 1}px) {
  body { padding: 12px; }
  figure.chart { padding: 8px; margin: 12px 0; }
  figure.chart .wide { display: none; }
  figure.chart .narrow { display: block; }
  th, td { padding: 3px 6px; }
}
`;

/**
 * The whole report as one self-contained HTML page: inline CSS and inline SVG charts, no
 * script, no external resource; its Content-Security-Policy forbids any fetch, so it opens
 * the same offline, from a mail attachment or a CI artifact.
 */
export function reportPage(
  title: string,
  meta: string,
  sections: readonly {
    heading: string;
    charts?: readonly ChartBlock[];
    tables?: readonly TableBlock[];
    grid?: boolean;
  }[],
): string {
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`, `<p class="meta">${esc(meta)}</p>`);
  for (const s of sections) {
    body.push(`<section><h2>${esc(s.heading)}</h2>`);
    for (const t of s.tables ?? []) body.push(tableHtml(t));
    if (s.charts !== undefined && s.charts.length > 0) {
      body.push(s.grid === true ? `<div class="grid">` : "<div>");
      for (const c of s.charts)
        body.push(
          `<figure class="chart" data-chart="${esc(c.id)}"><figcaption><b>${esc(c.title)}</b>. ${esc(c.caption)}</figcaption><div class="wide">${c.svg}</div><div class="narrow">${c.narrowSvg}</div></figure>`,
        );
      body.push("</div>");
    }
    body.push("</section>");
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join("\n")}
</body>
</html>
`;
}

function tableHtml(t: TableBlock): string {
  const head = `<tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`;
  const rows = t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("\n");
  return `<div class="table"><table data-table="${esc(t.title)}"><caption style="text-align:left;font-weight:600;padding:4px 0">${esc(t.title)}</caption>${head}\n${rows}</table></div>`;
}
