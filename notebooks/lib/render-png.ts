/**
 * Plotly figure → PNG with Debian's Chromium driven by playwright-core (`Plotly.toImage` in the page):
 * plotly needs a real browser for layout and text measurement, so plain Node cannot load it.
 * plotly.js comes from the installed package, inlined into a blank page; nothing is fetched.
 */
import { existsSync, readFileSync } from "node:fs";
import { ResourceError } from "@isc/core";
import { type Browser, chromium } from "playwright-core";
import type { PlotlyFigure } from "@isc/viz";
import { plotlySource } from "./plotly-source.js";

/** The Chromium binary: $CHROMIUM_PATH, else Debian's; null when none is installed. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
}

export interface PngOptions {
  width?: number;
  height?: number;
  /** Device pixels per CSS pixel (default 2, for sharp text). */
  scale?: number;
}

export class PngRenderer {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<PngRenderer> {
    const executablePath = chromiumPath();
    if (!executablePath) throw new ResourceError("no Chromium found: `apt-get install -y chromium` (Debian), or set CHROMIUM_PATH");
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    return new PngRenderer(browser);
  }

  async render(fig: PlotlyFigure, options: PngOptions = {}): Promise<Buffer> {
    const width = options.width ?? (typeof fig.layout.width === "number" ? fig.layout.width : 700);
    const height = options.height ?? (typeof fig.layout.height === "number" ? fig.layout.height : 450);
    const page = await this.browser.newPage();
    try {
      // A blocked network makes any accidental remote load fail loudly instead of hanging.
      await page.route("**/*", (r) => (r.request().url().startsWith("data:") ? r.continue() : r.abort()));
      await page.setContent('<!doctype html><html><body style="margin:0;background:white"><div id="plot"></div></body></html>');
      await page.addScriptTag({ content: plotlySource() });
      const url = await page.evaluate(
        async ({ f, w, h, s }) => {
          const P = (globalThis as unknown as { Plotly: { toImage(fig: unknown, o: unknown): Promise<string> } }).Plotly;
          return P.toImage({ data: f.data, layout: { ...f.layout, width: w, height: h } }, { format: "png", width: w, height: h, scale: s });
        },
        { f: fig, w: width, h: height, s: options.scale ?? 2 },
      );
      return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
    } finally {
      await page.close();
    }
  }

  /** Screenshots an HTML fragment (tables, coloured text) at the given width. */
  async renderHtml(html: string, width = 900): Promise<Buffer> {
    const page = await this.browser.newPage({ viewport: { width, height: 200 }, deviceScaleFactor: 2 });
    try {
      await page.route("**/*", (r) => (r.request().url().startsWith("data:") ? r.continue() : r.abort()));
      await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:12px;background:white;font-family:sans-serif"><div id="root" style="display:inline-block">${html}</div></body></html>`);
      return await page.locator("#root").screenshot();
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** PNG file signature check, for tests and the figure script. */
export function isPng(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return sig.every((b, i) => bytes[i] === b);
}

export function readPng(file: string): Buffer {
  return readFileSync(file);
}
