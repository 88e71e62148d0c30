/**
 * Which heads play which part in the induction circuit. The original experiments hard-code
 * Redwood's head numbers (0.0 previous-token head, 1.5/1.6 induction heads, …); keeping them in
 * one object lets the same catalogue run on another model whose card names its own heads
 * (docs/semantics.md §2.3, §6).
 */
import { FormatError } from "@isc/core";
import type { ModelConfig } from "@isc/core";
import _ from "lodash";

export interface HeadRoles {
  /** The head whose output the induction heads read through K. Redwood: 0.0. */
  previousTokenHead: { layer: number; head: number };
  /** Redwood: layer 1, heads [5, 6]. */
  inductionHeads: { layer: number; heads: number[] };
  /** Layer-0 heads whose paths ev+ and eq+ scrub (the non-"embedding-like" heads). Redwood: [0, 4, 6, 7]. */
  plusHeads: number[];
  /** Layer-0 heads pth-k+ keeps in the K input (previous-token-like heads; includes the previous-token head). Redwood: [0, 6]. */
  pthKPlusKept: number[];
  /**
   * Layer-0 heads that 1.5-e46k scrubs in one induction head's K input: a subset of plusHeads.
   * The experiment's name lists the plus heads it keeps, so Redwood's [0, 7] gives "e46k".
   */
  ekNarrowScrubbed: number[];
}

/** Frozen: a shared default must not be edited by one caller under another. */
export const REDWOOD_ROLES: HeadRoles = Object.freeze({
  previousTokenHead: Object.freeze({ layer: 0, head: 0 }),
  inductionHeads: Object.freeze({ layer: 1, heads: Object.freeze([5, 6]) as number[] }),
  plusHeads: Object.freeze([0, 4, 6, 7]) as number[],
  pthKPlusKept: Object.freeze([0, 6]) as number[],
  ekNarrowScrubbed: Object.freeze([0, 7]) as number[],
});

export class HeadRolesError extends FormatError {
  override name = "HeadRolesError";
}

const FIELDS = ["previousTokenHead", "inductionHeads", "plusHeads", "pthKPlusKept", "ekNarrowScrubbed"] as const;

/**
 * Reads a model card's "roles" object. Each field may be written as in `REDWOOD_ROLES`
 * (`JSON.stringify(REDWOOD_ROLES)` is valid input); heads may also be written "layer.head":
 * `"previousTokenHead": "0.0"`, `"inductionHeads": ["1.5", "1.6"]`. Head lists are sorted.
 */
export function parseHeadRoles(raw: unknown, cfg: ModelConfig): HeadRoles {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new HeadRolesError(`roles must be a JSON object, found ${show(raw)}`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!(FIELDS as readonly string[]).includes(k)) throw new HeadRolesError(`roles.${k}: unknown field (known: ${FIELDS.join(", ")})`);
  }
  for (const f of FIELDS) if (r[f] === undefined) throw new HeadRolesError(`roles.${f} is missing`);

  const prev = parseOneHead(r.previousTokenHead, "roles.previousTokenHead", cfg);
  const ind = parseLayerHeads(r.inductionHeads, "roles.inductionHeads", cfg);
  if (ind.layer <= prev.layer) {
    throw new HeadRolesError(
      `roles.inductionHeads.layer is ${ind.layer}: induction heads read the previous-token head (layer ${prev.layer}), so they must be in a later layer`,
    );
  }
  const l0 = (v: unknown, field: string) => parseHeadList(v, `roles.${field}`, prev.layer, cfg);
  const plusHeads = l0(r.plusHeads, "plusHeads");
  const pthKPlusKept = l0(r.pthKPlusKept, "pthKPlusKept");
  if (!pthKPlusKept.includes(prev.head)) {
    throw new HeadRolesError(`roles.pthKPlusKept must include the previous-token head ${prev.layer}.${prev.head}: pth-k+ keeps it by definition`);
  }
  const ekNarrowScrubbed = l0(r.ekNarrowScrubbed, "ekNarrowScrubbed");
  const stray = _.difference(ekNarrowScrubbed, plusHeads);
  if (stray.length) throw new HeadRolesError(`roles.ekNarrowScrubbed must be a subset of roles.plusHeads; ${stray.join(", ")} is not in [${plusHeads.join(", ")}]`);
  return { previousTokenHead: prev, inductionHeads: ind, plusHeads, pthKPlusKept, ekNarrowScrubbed };
}

/** Head sets the catalogue derives from the roles (layer-0 head numbers, ascending unless noted). */
export interface HeadGroups {
  /** Every head of the previous-token head's layer. */
  layer0: number[];
  /** Every head of the induction heads' layer. */
  layer1: number[];
  /** layer0 without the previous-token head (Redwood's "not_prev": 0.1–0.7). */
  notPrev: number[];
  /** Plus heads that pth-k+ does not keep: heads attending to the start (Redwood "begin": 0.4, 0.7). */
  begin: number[];
  /** Heads outside plusHeads: mostly attending to themselves (Redwood "diag": 0.1, 0.2, 0.3, 0.5). */
  diag: number[];
  /** layer0 minus pthKPlusKept: what pth-k+ scrubs besides the embedding (Redwood 0.1–0.5, 0.7). */
  notKept: number[];
  /** layer0 minus begin (Redwood 0.0, 0.1, 0.2, 0.3, 0.5, 0.6). */
  notBegin: number[];
  /** Plus heads that 1.5-e46k keeps (Redwood 0.4, 0.6). */
  ekNarrowKept: number[];
  /** Layer-1 heads other than the induction heads (Redwood "not_ind"). */
  notInduction: number[];
}

export function headGroups(cfg: ModelConfig, roles: HeadRoles): HeadGroups {
  const all = _.range(cfg.n_heads);
  const begin = _.difference(roles.plusHeads, roles.pthKPlusKept);
  return {
    layer0: all,
    layer1: all,
    notPrev: _.without(all, roles.previousTokenHead.head),
    begin,
    diag: _.difference(all, roles.plusHeads),
    notKept: _.difference(all, roles.pthKPlusKept),
    notBegin: _.difference(all, begin),
    ekNarrowKept: _.difference(roles.plusHeads, roles.ekNarrowScrubbed),
    notInduction: _.difference(all, roles.inductionHeads.heads),
  };
}

function parseOneHead(v: unknown, field: string, cfg: ModelConfig): { layer: number; head: number } {
  if (typeof v === "string") return parseDotted(v, field, cfg);
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new HeadRolesError(`${field} must be {"layer": L, "head": H} or "L.H", found ${show(v)}`);
  }
  const o = v as Record<string, unknown>;
  const layer = parseLayer(o.layer, `${field}.layer`, cfg);
  return { layer, head: parseHead(o.head, `${field}.head`, layer, cfg) };
}

function parseLayerHeads(v: unknown, field: string, cfg: ModelConfig): { layer: number; heads: number[] } {
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
    if (v.length === 0) throw new HeadRolesError(`${field} is empty: name at least one head`);
    const hs = v.map((x, i) => parseDotted(x as string, `${field}[${i}]`, cfg));
    const layer = hs[0].layer;
    const other = hs.findIndex((h) => h.layer !== layer);
    if (other >= 0) throw new HeadRolesError(`${field}[${other}] is in layer ${hs[other].layer}, but ${field}[0] is in layer ${layer}: induction heads must share a layer`);
    return { layer, heads: distinctSorted(hs.map((h) => h.head), field) };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new HeadRolesError(`${field} must be {"layer": L, "heads": [H, …]} or ["L.H", …], found ${show(v)}`);
  }
  const o = v as Record<string, unknown>;
  const layer = parseLayer(o.layer, `${field}.layer`, cfg);
  return { layer, heads: parseHeadList(o.heads, `${field}.heads`, layer, cfg) };
}

function parseHeadList(v: unknown, field: string, layer: number, cfg: ModelConfig): number[] {
  if (!Array.isArray(v)) throw new HeadRolesError(`${field} must be a list of layer-${layer} head numbers, found ${show(v)}`);
  if (v.length === 0) throw new HeadRolesError(`${field} is empty: name at least one head`);
  return distinctSorted(
    v.map((h, i) => parseHead(h, `${field}[${i}]`, layer, cfg)),
    field,
  );
}

function parseDotted(s: string, field: string, cfg: ModelConfig): { layer: number; head: number } {
  const m = /^(\d+)\.(\d+)$/.exec(s.trim());
  if (!m) throw new HeadRolesError(`${field} must look like "layer.head" (e.g. "0.0"), found ${show(s)}`);
  const layer = parseLayer(Number(m[1]), `${field} (layer)`, cfg);
  return { layer, head: parseHead(Number(m[2]), `${field} (head)`, layer, cfg) };
}

function parseLayer(v: unknown, field: string, cfg: ModelConfig): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= cfg.n_layers) {
    throw new HeadRolesError(`${field} must be a layer 0..${cfg.n_layers - 1} of this model, found ${show(v)}`);
  }
  return v;
}

function parseHead(v: unknown, field: string, layer: number, cfg: ModelConfig): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= cfg.n_heads) {
    throw new HeadRolesError(`${field} must be a head 0..${cfg.n_heads - 1} of layer ${layer}, found ${show(v)}`);
  }
  return v;
}

function distinctSorted(hs: number[], field: string): number[] {
  const sorted = _.sortBy(hs);
  const dup = sorted.find((h, i) => i > 0 && sorted[i - 1] === h);
  if (dup !== undefined) throw new HeadRolesError(`${field} lists head ${dup} twice`);
  return sorted;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
