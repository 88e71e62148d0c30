/**
 * Path matchers: which paths of the treeified model an interpretation node claims. Built from hop
 * patterns (layer, heads, slots), checked against the model so an unknown head is an error.
 */
import { HypothesisError, type ModelConfig } from "@isc/core";
import { describePath, type Hop, type Path, type Slot, type SubspacePart, type Window } from "./paths.js";

export { HypothesisError };

export interface HopPattern {
  layer: number;
  /** Default: every head of the layer. */
  heads?: readonly number[];
  /** Default: q, k and v. */
  slots?: readonly Slot[];
  /** Only these parts of a split head (default: any part, or the whole head). */
  parts?: readonly string[];
  /** Only this side of a subspace split on this hop (default: either side, or no split). */
  subspaces?: readonly SubspacePart[];
  /**
   * Only the tokens inside or outside the window of a position-split head copy (default: all its
   * tokens, and heads that are not split); REPO's "inside_input_toks_int" / "outside_input_toks_int".
   */
  window?: readonly Window[];
}

/** A predicate over paths with a description for messages and printouts. */
export interface Matcher {
  readonly description: string;
  /** Throws a HypothesisError naming what does not exist in this model. */
  check(cfg: ModelConfig): void;
  test(path: Path): boolean;
}

function hopMatches(p: HopPattern, h: Hop): boolean {
  return (
    p.layer === h.layer &&
    (!p.heads || p.heads.includes(h.head)) &&
    (!p.slots || p.slots.includes(h.slot)) &&
    (!p.parts || (h.part !== undefined && p.parts.includes(h.part))) &&
    (!p.subspaces || (h.subspace !== undefined && p.subspaces.includes(h.subspace))) &&
    (!p.window || (h.window !== undefined && p.window.includes(h.window)))
  );
}

function checkPattern(p: HopPattern, cfg: ModelConfig): void {
  if (!Number.isInteger(p.layer) || p.layer < 0 || p.layer >= cfg.n_layers) {
    throw new HypothesisError(`unknown layer ${p.layer}: the model has layers 0..${cfg.n_layers - 1}`);
  }
  for (const h of p.heads ?? []) {
    if (!Number.isInteger(h) || h < 0 || h >= cfg.n_heads) {
      throw new HypothesisError(`unknown head ${p.layer}.${h}: the model has heads 0..${cfg.n_heads - 1} in each layer`);
    }
  }
  if (p.heads && p.heads.length === 0) throw new HypothesisError(`empty head list for layer ${p.layer}`);
  for (const s of p.slots ?? []) if (s !== "q" && s !== "k" && s !== "v") throw new HypothesisError(`unknown slot "${s}" (q, k or v)`);
  for (const s of p.subspaces ?? []) checkSubspacePart(s);
  for (const w of p.window ?? []) if (w !== "inside" && w !== "outside") throw new HypothesisError(`unknown window "${w}" (inside or outside)`);
}

function checkSubspacePart(s: string): void {
  if (s !== "proj_target" && s !== "proj_residual") throw new HypothesisError(`unknown subspace part "${s}" (proj_target or proj_residual)`);
}

function fmt(p: HopPattern): string {
  const heads = p.heads ? (p.heads.length === 1 ? `${p.heads[0]}` : `{${p.heads.join(",")}}`) : "*";
  const window = p.window ? `:${p.window.join(",")}` : "";
  return `${p.layer}.${heads}${p.parts ? `[${p.parts.join(",")}]` : ""}${p.slots ? `.${p.slots.join("")}` : ""}${window}${p.subspaces ? `[${p.subspaces.join(",")}]` : ""}`;
}

/** Every path: what a hypothesis's root must claim. */
export function allPaths(): Matcher {
  return { description: "all paths", check: () => {}, test: () => true };
}

/**
 * Paths whose hops, read from the logits inward, start with these patterns. A final "embed" means
 * the path must end there (the embedding reaches the last pattern's head directly).
 * `chain({layer:1, heads:[5,6], slots:["v"]}, {layer:0})` is "layer-0 heads → V of 1.5/1.6".
 */
export function chain(...pats: (HopPattern | "embed")[]): Matcher {
  const hops = pats.filter((p): p is HopPattern => p !== "embed");
  const ends = pats[pats.length - 1] === "embed";
  if (pats.slice(0, -1).includes("embed")) throw new HypothesisError(`"embed" can only end a chain`);
  return {
    description: [...hops.map(fmt), ...(ends ? ["embed"] : [])].join(" ← "),
    check: (cfg) => hops.forEach((p) => checkPattern(p, cfg)),
    test: (path) => path.length >= hops.length && hops.every((p, i) => hopMatches(p, path[i])) && (!ends || path.length === hops.length),
  };
}

/** Paths that pass through a matching hop anywhere, e.g. every copy of head 0.0. */
export function through(p: HopPattern): Matcher {
  return {
    description: `through ${fmt(p)}`,
    check: (cfg) => checkPattern(p, cfg),
    test: (path) => path.some((h) => hopMatches(p, h)),
  };
}

/**
 * Paths on one side of any subspace split (subspace.ts), wherever it is: REPO's
 * `rc.Matcher("proj_residual")`, which names the residual node of every split.
 */
export function subspacePart(part: SubspacePart): Matcher {
  return {
    description: `through [${part}]`,
    check: () => checkSubspacePart(part),
    test: (path) => path.some((h) => h.subspace === part),
  };
}

/** Only the direct embedding → logits path. */
export function directEmbed(): Matcher {
  return { description: "embed → logits", check: () => {}, test: (path) => path.length === 0 };
}

export function union(...ms: Matcher[]): Matcher {
  return {
    description: ms.map((m) => `(${m.description})`).join(" | "),
    check: (cfg) => ms.forEach((m) => m.check(cfg)),
    test: (path) => ms.some((m) => m.test(path)),
  };
}

export function difference(a: Matcher, b: Matcher): Matcher {
  return {
    description: `(${a.description}) − (${b.description})`,
    check: (cfg) => {
      a.check(cfg);
      b.check(cfg);
    },
    test: (path) => a.test(path) && !b.test(path),
  };
}

export function explainPaths(paths: Path[], limit = 3): string {
  const shown = paths.slice(0, limit).map(describePath).join("; ");
  return paths.length > limit ? `${shown}; and ${paths.length - limit} more` : shown;
}
