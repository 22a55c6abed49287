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

/** Launches headless Chromium with no network services, no sandbox (containers) and no GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--no-first-run",
    ],
  });
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
    for (const g of fig.querySelectorAll("svg g.role-mark")) {
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
