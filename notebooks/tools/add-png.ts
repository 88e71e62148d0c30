/**
 * Adds a static PNG (Debian Chromium) inside every plotly output of a notebook that lacks one, for
 * viewers that run no scripts (GitHub). Done by the runner after the kernel has exited, not inside
 * it: a browser started from a tslab kernel makes file-system events that tslab's file watcher
 * sometimes dies on ("Unexpected pending rebuildTimer").
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseOrHelp, runMain } from "@isc/node";
import { PLOTLY_PLACEHOLDER, plotlySpecOf } from "@isc/viz";
import { PngRenderer } from "../lib/render-png.js";

/** @returns how many figures got a PNG. */
export async function addPngFallbacks(file: string, renderer: PngRenderer): Promise<number> {
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: { outputs?: { data?: Record<string, string | string[]> }[] }[] };
  let added = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const h = out.data?.["text/html"];
      if (h === undefined) continue;
      const html = Array.isArray(h) ? h.join("") : h;
      const fig = plotlySpecOf(html);
      if (!fig || !html.includes(PLOTLY_PLACEHOLDER)) continue;
      const png = (await renderer.render(fig, { scale: 1 })).toString("base64");
      const img = `<img alt="plotly figure" style="max-width:100%" src="data:image/png;base64,${png}">`;
      out.data!["text/html"] = html.replace(PLOTLY_PLACEHOLDER, img).split(/(?<=\n)/);
      added++;
    }
  }
  writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return added;
}

if (process.argv[1] && process.argv[1].endsWith("add-png.js")) {
  runMain("add-png", async () => {
    const args = parseOrHelp(process.argv.slice(2), {
      name: "add-png",
      summary: "Adds a static PNG inside every plotly output of the notebooks that lacks one.",
      flags: {},
      positionals: { name: "NOTEBOOK.ipynb ...", min: 1 },
    });
    if (!args) return;
    const r = await PngRenderer.launch();
    try {
      for (const f of args.positionals) process.stdout.write(`${f}: ${await addPngFallbacks(f, r)} figures\n`);
    } finally {
      await r.close();
    }
  });
}
