import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium, installed by .ci/run when absent. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether headless Chromium can run here (tests that need it are skipped with a message otherwise). */
export const haveChromium: boolean =
  existsSync(CHROMIUM) &&
  (() => {
    try {
      execFileSync(CHROMIUM, ["--version"], { stdio: "ignore", timeout: 20_000 });
      return true;
    } catch {
      return false;
    }
  })();

/**
 * Launches headless Chromium with no network services, no sandbox (containers) and no GPU.
 * Playwright gives it a new, empty --user-data-dir of its own (it refuses one in `args`).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** How a page lays out at one viewport width. */
export interface Layout {
  /** Per chart, the visible data marks (as {@link inspectReport} counts them). */
  charts: [string, number][];
  /** The smallest rendered text, in CSS px (SVG text scaled as drawn), and what it says. */
  smallestText: { px: number; text: string };
  /** How far the page is wider than the viewport (0: no horizontal scroll). */
  overflowPx: number;
}

/** Opens a report in a `widthPx` wide viewport and measures its layout. */
export async function inspectLayout(browser: Browser, file: string, widthPx: number): Promise<Layout> {
  const page = await browser.newPage({ viewport: { width: widthPx, height: 900 } });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  const charts = (await page.evaluate(COUNT_MARKS)) as [string, number][];
  const rest = (await page.evaluate(MEASURE_TEXT)) as Omit<Layout, "charts">;
  await page.close();
  return { charts, ...rest };
}

/** What the browser drew for a report: per chart (`data-chart`), its visible data marks; and every request it made besides the page. */
export async function inspectReport(
  browser: Browser,
  file: string,
): Promise<{ charts: [string, number][]; requests: string[]; title: string }> {
  const page = await browser.newPage();
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });
  const charts = (await page.evaluate(COUNT_MARKS)) as [string, number][];
  const title = await page.title();
  await page.close();
  return { charts, requests, title };
}

/**
 * Runs in the page (a string: the project compiles without DOM types). Per `figure.chart`, the
 * data marks that drew: Vega puts them in <g class="mark-<type> role-mark"> groups (axes,
 * legends and titles have other roles). A bar, area or point must have both a width and a
 * height; a line or rule one of them.
 */
const COUNT_MARKS = `(() => {
  const out = [];
  for (const fig of document.querySelectorAll("figure.chart")) {
    let drawn = 0;
    // Only the rendering the page shows at this width (a hidden one has no layout box).
    for (const g of fig.querySelectorAll("svg g.role-mark")) {
      if (g.closest("svg").getBoundingClientRect().width === 0) continue;
      const solid = /\\bmark-(rect|area|symbol|arc)\\b/.test(g.getAttribute("class") || "");
      for (const el of g.children) {
        if (typeof el.getBBox !== "function") continue;
        const box = el.getBBox();
        if (solid ? box.width > 0 && box.height > 0 : box.width > 0 || box.height > 0) drawn++;
      }
    }
    out.push([fig.getAttribute("data-chart") || "?", drawn]);
  }
  return out;
})()`;

/**
 * Runs in the page: the smallest visible text (every non-blank text node whose element has a
 * layout box), its computed font size times the scale its SVG is drawn at (the length of the
 * screen transform's first column, so rotated axis titles count alike); and the page's
 * overflow, scrollWidth beyond the viewport.
 */
const MEASURE_TEXT = `(() => {
  let px = Infinity, text = "";
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n !== null; n = walk.nextNode()) {
    const el = n.parentElement;
    if (el === null || n.textContent.trim() === "" || el.getClientRects().length === 0) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) {
      const m = el.getScreenCTM();
      if (m !== null) size *= Math.hypot(m.a, m.b);
    }
    if (size < px) { px = size; text = n.textContent.trim(); }
  }
  const root = document.documentElement;
  return { smallestText: { px, text }, overflowPx: Math.max(0, root.scrollWidth - root.clientWidth) };
})()`;
