#!/usr/bin/env node
/**
 * A notebook with its outputs → one standalone HTML page (markdown as preformatted text, code,
 * streams, HTML outputs with their scripts), to read a run in any browser without Jupyter:
 *   node notebooks/dist/tools/nb2html.js notebooks/01-preliminary-experiments.ipynb out.html
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseOrHelp, runMain } from "@isc/node";
import { escapeHtml } from "@isc/viz";

type Src = string | string[];
const text = (s: Src | undefined) => (s === undefined ? "" : Array.isArray(s) ? s.join("") : s);

/** Just enough markdown for our notebooks: headings, bold, code spans, paragraphs and lists. */
function md(s: string): string {
  const inline = (t: string) =>
    escapeHtml(t)
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
      .replace(/\*([^*]+)\*/g, "<i>$1</i>");
  // A heading line ends its block even without a blank line after it, as in Jupyter.
  return s
    .replace(/^(#{1,4} .*)\n(?!\n)/gm, "$1\n\n")
    .split(/\n{2,}/)
    .map((block) => {
      const h = /^(#{1,4}) (.*)$/.exec(block);
      if (h) return `<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`;
      if (/^[-*] /m.test(block)) {
        const [head, ...items] = block.split(/\n(?=[-*] )/);
        const lead = /^[-*] /.test(head!) ? "" : `<p>${inline(head!)}</p>`;
        const all = lead ? items : [head!, ...items];
        return `${lead}<ul>${all.map((li) => `<li>${inline(li.replace(/^[-*] /, ""))}</li>`).join("")}</ul>`;
      }
      return `<p>${inline(block)}</p>`;
    })
    .join("\n");
}

export function notebookToHtml(nb: { cells: { cell_type: string; source: Src; outputs?: Record<string, unknown>[] }[] }, title: string): string {
  const parts = nb.cells.map((c) => {
    if (c.cell_type === "markdown") return `<div class="md">${md(text(c.source))}</div>`;
    const outs = (c.outputs ?? [])
      .map((o) => {
        if (o.output_type === "stream") return `<pre class="${String(o.name)}">${escapeHtml(text(o.text as Src))}</pre>`;
        const data = o.data as Record<string, Src> | undefined;
        if (data?.["text/html"]) return `<div class="out">${text(data["text/html"])}</div>`;
        if (data?.["text/markdown"]) return `<div class="out md">${md(text(data["text/markdown"]))}</div>`;
        if (data?.["image/png"]) return `<img src="data:image/png;base64,${text(data["image/png"])}">`;
        if (data?.["text/plain"]) return `<pre>${escapeHtml(text(data["text/plain"]))}</pre>`;
        if (o.output_type === "error") return `<pre class="stderr">${escapeHtml(`${String(o.ename)}: ${String(o.evalue)}`)}</pre>`;
        return "";
      })
      .join("\n");
    return `<details class="code"><summary>code</summary><pre>${escapeHtml(text(c.source))}</pre></details>${outs}`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font-family:sans-serif;max-width:1500px;margin:16px auto;padding:0 16px;color:#222}
pre{background:#f7f7f7;padding:6px;overflow-x:auto;font-size:12px} pre.stderr{background:#fdf0f0}
.md{line-height:1.45} details.code summary{color:#888;font-size:12px;cursor:pointer} .out{margin:8px 0;overflow-x:auto}
</style></head><body>${parts.join("\n")}</body></html>`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  runMain("nb2html", () => {
    const args = parseOrHelp(process.argv.slice(2), {
      name: "nb2html",
      summary: "A notebook with its outputs → one standalone HTML page.",
      flags: {},
      positionals: { name: "NOTEBOOK.ipynb OUT.html", min: 2, max: 2 },
    });
    if (!args) return;
    const [src, dst] = args.positionals as [string, string];
    writeFileSync(dst, notebookToHtml(JSON.parse(readFileSync(src, "utf8")), path.basename(src)));
  });
}
