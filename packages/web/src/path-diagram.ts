/**
 * The paths of the treeified model as an SVG diagram: the embedding on the left, one column of heads
 * per layer, the logits on the right, and every edge a path can take (into a head through its q, k or
 * v input, or out to the logits). The treeified model has one copy of a head per path prefix; the
 * diagram folds the copies back onto the heads and colours each edge by the share of the paths along
 * it that a hypothesis node resamples, so "scrub the V input of 1.4 from layer 0" lights up the
 * 8 × 3 edges from layer 0 into 1.4's v port and the 1.4 → logits edge.
 */
import type { ModelConfig } from "@isc/core/browser";
import type { Path, Slot } from "@isc/scrubbing";
import _ from "lodash";

/** Node colours in order; the unscrubbed remainder is grey. */
export const NODE_COLOURS: readonly string[] = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const GREY = "#c8c8c8";

export interface EdgeStat {
  /** "embed", "0.3" or "logits" (parts of a split head fold onto the head). */
  from: string;
  to: string;
  /** The input of `to` the edge enters; null into the logits. */
  slot: Slot | null;
  total: number;
  /** Paths along the edge per owner node. */
  byOwner: number[];
}

/** Edge statistics: every edge used by some path, with how many paths of each owner run along it. */
export function edgeStats(paths: readonly Path[], owner: Int32Array, nodes: number): EdgeStat[] {
  const edges = new Map<string, EdgeStat>();
  const add = (from: string, to: string, slot: Slot | null, o: number) => {
    const key = `${from}>${to}:${slot ?? ""}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, slot, total: 0, byOwner: new Array<number>(nodes).fill(0) }));
    e.total++;
    if (o >= 0) e.byOwner[o]++;
  };
  paths.forEach((p, i) => {
    const o = owner[i];
    if (p.length === 0) return add("embed", "logits", null, o);
    add(`${p[0].layer}.${p[0].head}`, "logits", null, o);
    for (let j = 0; j + 1 < p.length; j++) add(`${p[j + 1].layer}.${p[j + 1].head}`, `${p[j].layer}.${p[j].head}`, p[j].slot, o);
    const last = p[p.length - 1];
    add("embed", `${last.layer}.${last.head}`, last.slot, o);
  });
  return [...edges.values()];
}

export interface PathDiagramOptions {
  /** Child node names (legend), in owner order. */
  nodes: readonly string[];
  /** Their samplers' names, e.g. "Uncond". */
  samplers?: readonly string[];
  width?: number;
  /** Heads to mark in bold, e.g. the card's induction heads: "1.4". */
  highlight?: readonly string[];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function pathDiagramSvg(cfg: ModelConfig, paths: readonly Path[], owner: Int32Array, options: PathDiagramOptions): string {
  const g = layoutFor(cfg, options.width ?? 760);
  const scrubbedTotal = owner.reduce((a, o) => a + (o >= 0 ? 1 : 0), 0);
  const summary = `<text x="${g.width - 10}" y="${g.height - 8}" text-anchor="end" class="summary">${scrubbedTotal} of ${paths.length} paths resampled; grey: the reference row</text>`;
  return (
    `<svg class="path-diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.width} ${g.height}" width="${g.width}" height="${g.height}" font-family="system-ui, sans-serif" font-size="11">` +
    `<style>.col-label{font-size:12px;fill:#333}.port{font-size:7px;fill:#999}.summary{font-size:11px;fill:#444}</style>` +
    sideBox(g, g.colX(0), "embed") +
    sideBox(g, g.colX(g.L + 1), "logits") +
    edgesSvg(g, edgeStats(paths, owner, options.nodes.length)) +
    headsSvg(g, new Set(options.highlight ?? [])) +
    legendSvg(g, owner, options) +
    summary +
    `</svg>`
  );
}

/** Where everything sits: columns embed, layer 0 … layer L−1, logits; one row per head. */
interface DiagramLayout {
  L: number;
  H: number;
  width: number;
  height: number;
  /** y of the first head row. */
  top: number;
  rowH: number;
  /** Width of a head's box. */
  boxW: number;
  midY: number;
  /** x of column c: 0 embed, 1..L layers, L+1 logits. */
  colX(c: number): number;
  headY(h: number): number;
}

/** Offsets of a head's q, k and v ports from its centre. */
const SLOT_DY: Record<Slot, number> = { q: -8, k: 0, v: 8 };

function layoutFor(cfg: ModelConfig, width: number): DiagramLayout {
  const L = cfg.n_layers;
  const H = cfg.n_heads;
  const rowH = 34;
  const top = 30;
  return {
    L,
    H,
    width,
    height: top + H * rowH + 70,
    top,
    rowH,
    boxW: 46,
    midY: top + (H * rowH) / 2,
    colX: (c) => 50 + ((width - 110) * c) / (L + 1),
    headY: (h) => top + h * rowH + rowH / 2,
  };
}

/** Where an edge leaves node `n` ("embed" or "L.H"). */
function anchorOut(g: DiagramLayout, n: string): [number, number] {
  if (n === "embed") return [g.colX(0) + 14, g.midY];
  const [l, h] = n.split(".").map(Number);
  return [g.colX(l + 1) + g.boxW / 2, g.headY(h)];
}

/** Where an edge enters node `n` ("logits", or a head's port). */
function anchorIn(g: DiagramLayout, n: string, slot: Slot | null): [number, number] {
  if (n === "logits") return [g.colX(g.L + 1) - 14, g.midY];
  const [l, h] = n.split(".").map(Number);
  return [g.colX(l + 1) - g.boxW / 2, g.headY(h) + (slot ? SLOT_DY[slot] : 0)];
}

const scrubbedOf = (e: EdgeStat) => _.sum(e.byOwner);

function edgesSvg(g: DiagramLayout, stats: EdgeStat[]): string {
  // Unscrubbed edges first so coloured ones draw on top.
  const order = [...stats].sort((a, b) => scrubbedOf(a) / a.total - scrubbedOf(b) / b.total);
  return order.map((e) => edgeSvg(g, e)).join("");
}

/** A curve coloured by the node resampling most of its paths, thicker and stronger the larger their share. */
function edgeSvg(g: DiagramLayout, e: EdgeStat): string {
  const [x1, y1] = anchorOut(g, e.from);
  const [x2, y2] = anchorIn(g, e.to, e.slot);
  const scrubbed = scrubbedOf(e);
  const frac = scrubbed / e.total;
  // The first owner with the most paths along the edge.
  const best = e.byOwner.indexOf(_.max(e.byOwner)!);
  const colour = scrubbed > 0 ? NODE_COLOURS[best % NODE_COLOURS.length] : GREY;
  const w = scrubbed > 0 ? 1 + 2.2 * frac : 0.6;
  const op = scrubbed > 0 ? 0.35 + 0.6 * frac : 0.55;
  const dx = (x2 - x1) * 0.45;
  const title = `${e.from} → ${e.to}${e.slot ? ` (${e.slot})` : ""}: ${scrubbed} of ${e.total} paths resampled`;
  return (
    `<path class="edge" data-edge="${esc(`${e.from}>${e.to}${e.slot ? `.${e.slot}` : ""}`)}" data-scrubbed="${scrubbed}" data-total="${e.total}" ` +
    `d="M${x1.toFixed(1)},${y1.toFixed(1)} C${(x1 + dx).toFixed(1)},${y1.toFixed(1)} ${(x2 - dx).toFixed(1)},${y2.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}" ` +
    `fill="none" stroke="${colour}" stroke-width="${w.toFixed(2)}" stroke-opacity="${op.toFixed(2)}"><title>${esc(title)}</title></path>`
  );
}

/** Per layer a label and a column of head boxes with their q/k/v ports; highlighted heads in bold. */
function headsSvg(g: DiagramLayout, highlight: ReadonlySet<string>): string {
  const out: string[] = [];
  for (let l = 0; l < g.L; l++) {
    const x = g.colX(l + 1);
    out.push(`<text x="${x}" y="${g.top - 12}" text-anchor="middle" class="col-label">layer ${l}</text>`);
    for (let h = 0; h < g.H; h++) out.push(headSvg(g, x, g.headY(h), `${l}.${h}`, highlight.has(`${l}.${h}`)));
  }
  return out.join("");
}

function headSvg(g: DiagramLayout, x: number, y: number, name: string, strong: boolean): string {
  return (
    `<g class="head" data-head="${name}"><rect x="${x - g.boxW / 2}" y="${y - 13}" width="${g.boxW}" height="26" rx="5" fill="${strong ? "#fff4d6" : "#fff"}" stroke="${strong ? "#b8860b" : "#666"}" stroke-width="${strong ? 2 : 1}"/>` +
    `<text x="${x + 3}" y="${y + 4}" text-anchor="middle" font-weight="${strong ? 700 : 400}">${name}</text>` +
    (["q", "k", "v"] as Slot[]).map((s) => `<text x="${x - g.boxW / 2 + 2}" y="${y + SLOT_DY[s] + 2.5}" class="port">${s}</text>`).join("") +
    `</g>`
  );
}

/** The embedding's or the logits' tall box. */
function sideBox(g: DiagramLayout, x: number, label: string): string {
  return (
    `<rect x="${x - 14}" y="${g.top}" width="28" height="${g.H * g.rowH}" rx="6" fill="#eef2f7" stroke="#666"/>` +
    `<text transform="translate(${x + 4},${g.midY}) rotate(-90)" text-anchor="middle" class="col-label">${label}</text>`
  );
}

/** Two columns of swatches under the diagram: node (sampler): paths it claims. */
function legendSvg(g: DiagramLayout, owner: Int32Array, options: PathDiagramOptions): string {
  const counts = _.countBy(owner);
  return options.nodes
    .map((n, i) => {
      const count = counts[i] ?? 0;
      const y = g.top + g.H * g.rowH + 22 + 16 * Math.floor(i / 2);
      const x = 20 + (i % 2) * (g.width / 2);
      const s = options.samplers?.[i] ? ` (${options.samplers[i]})` : "";
      return `<rect x="${x}" y="${y - 9}" width="18" height="10" fill="${NODE_COLOURS[i % NODE_COLOURS.length]}"/><text x="${x + 24}" y="${y}">${esc(n)}${esc(s)}: ${count} paths</text>`;
    })
    .join("");
}
