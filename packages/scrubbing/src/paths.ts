/**
 * The paths of the treeified model: every way an input token can reach the logits. A path is the
 * list of heads it passes, from the logits inward, each with the slot (q, k or v) through which it
 * enters that head; an empty list is the direct embedding path. Layers strictly decrease along a
 * path. A 2-layer, 8-head model has 1 + 24 + 24·25 = 625 paths.
 */
import type { ModelConfig } from "@isc/core";
import type { SubspaceSplit } from "./subspace.js";
import { tagSubspaces } from "./subspace-paths.js";
import { type PositionSplit, splitPathsByPosition } from "./position-split.js";

export type Slot = "q" | "k" | "v";
export const SLOTS: readonly Slot[] = ["q", "k", "v"];

export interface Hop {
  layer: number;
  head: number;
  slot: Slot;
  /** For a head split into parts (e.g. 0.0 into its previous-token part and the rest): which part. */
  part?: string;
  /** For a path through a subspace split (subspace.ts): which side of the split it runs through. */
  subspace?: SubspacePart;
  /**
   * For a layer-0 head copy whose input tokens are split by position (position-split.ts): whether
   * this path carries the tokens inside the window or the others. Only a path's last hop has one.
   */
  window?: Window;
}

/** The kept projection of a split activation, and the rest (REPO's node names). */
export type SubspacePart = "proj_target" | "proj_residual";

/** Which of a position-split head copy's input tokens a path carries (docs/semantics.md §5.6). */
export type Window = "inside" | "outside";

/** A head whose output is a sum of parts, each its own path (model-modifications.ts splitHead). */
export interface HeadSplit {
  layer: number;
  head: number;
  parts: readonly string[];
}

export type Path = readonly Hop[];

/** Everything that gives some paths several copies: head splits, subspace splits and position splits. */
export type PathSplit = HeadSplit | SubspaceSplit | PositionSplit;

function headName(h: Hop): string {
  return `${h.layer}.${h.head}${h.part ? `[${h.part}]` : ""}`;
}

function hopName(h: Hop): string {
  return `${headName(h)}.${h.slot}${h.subspace ? `[${h.subspace}]` : ""}${h.window ? `:${h.window}` : ""}`;
}

/** "1.5.v/0.3.q" (logits inward); "" for the direct embedding path; a part shows as "0.0[prev].k", a subspace side as "1.6.k[proj_residual]", a window as "0.3.q:outside". */
export function pathKey(path: Path): string {
  return path.map(hopName).join("/");
}

/** "embed →q 0.3 →v 1.5 → logits", the way a reader traces it; "embed (outside the window) →q 0.3 …" for a split copy. */
export function describePath(path: Path): string {
  const window = path[path.length - 1]?.window;
  const embed = window ? `embed (${window} the window)` : "embed";
  return [embed, ...[...path].reverse().map((h) => `→${h.slot} ${headName(h)}${h.subspace ? ` [${h.subspace}]` : ""}`), "→ logits"].join(" ");
}

/** The parts of head (layer, head): its split's part names, or one unnamed part. */
export function headParts(splits: readonly PathSplit[], layer: number, head: number): (string | undefined)[] {
  const s = splits.find((x): x is HeadSplit => "parts" in x && x.layer === layer && x.head === head);
  return s ? [...s.parts] : [undefined];
}

/**
 * Every path of the model, in a fixed order; a split head contributes one hop per part, a subspace
 * split two copies of each path through it, a position-split head copy an inside and an outside
 * path per slot.
 */
export function enumeratePaths(cfg: ModelConfig, splits: readonly PathSplit[] = []): Path[] {
  const below = (maxLayer: number): Path[] => {
    const out: Path[] = [[]];
    for (let l = maxLayer - 1; l >= 0; l--) {
      for (let h = 0; h < cfg.n_heads; h++) {
        for (const part of headParts(splits, l, h)) {
          for (const slot of SLOTS) {
            for (const rest of below(l)) out.push([{ layer: l, head: h, slot, ...(part ? { part } : {}) }, ...rest]);
          }
        }
      }
    }
    return out;
  };
  return splitPathsByPosition(cfg, tagSubspaces(below(cfg.n_layers), splits, cfg), splits);
}
