/**
 * Changes to the model instead of scrubbing: the previous-token head's attention replaced where it
 * feeds layer 1, W_Q/W_K swapped between heads, a head's raw scores transposed, and its Q and K
 * flipped (REPO experiments.py: the `make_pth_*` options, `swap`, `transpose`).
 */
import type { HeadGroups } from "../head-roles.js";
import { combine, flipQK, type ModelModification, type PatternKind, replacePattern, swapHeadWeights } from "../model-modifications.js";
import { type Slot, SLOTS } from "../paths.js";
import { transposeScores } from "../transpose-scores.js";
import type { CatalogueContext } from "./context.js";
import type { Entry } from "./entry.js";
import { SLOT_NAME } from "./shorthands.js";

/** No scrubbing child: the experiment is the changed model on the reference rows. */
const modified = (name: string, description: string, modification: ModelModification): Entry => ({ name, description, group: "modification", split: "all", children: [], modification });

export function modifications(c: CatalogueContext): Entry[] {
  return [...patternsIntoLayer1(c), ...c.g.layer1.flatMap((i) => patternsIntoHead(c, i)), ...weightSwaps(c), ...transposes(c), ...flips(c)];
}

/** Which copies of the previous-token head see the new pattern. */
const where = (heads: string, s?: Slot) => `its copies feeding the ${s ? SLOT_NAME[s] : "Q, K and V"} input${s ? "" : "s"} of ${heads}; its direct path is untouched`;

const PATTERNS: Record<"real" | "beg" | "zero" | "diag" | "pos20" | "pos1", string> = {
  real: "an exact previous-token pattern (A[t,t−1]=1, A[0,0]=1)",
  beg: "attention to position 0 only",
  zero: "an all-zero pattern (the head adds nothing there)",
  diag: "the identity pattern (each position attends to itself)",
  pos20: "attention to position 20 only (non-causal for t < 20, as in the original)",
  pos1: "attention to position 1 only (non-causal at t = 0, as in the original)",
};

/** REPO's real-0.0, beg-0.0, zero-0.0 and their q-/k-/v- variants: every layer-1 head. */
function patternsIntoLayer1({ r, P0 }: CatalogueContext): Entry[] {
  const kinds: PatternKind[] = ["real", "beg", "zero"];
  return kinds.flatMap((kind) => [
    modified(`${kind}-${P0}`, `${P0}'s attention replaced by ${PATTERNS[kind]} in ${where("every layer-1 head")}`, replacePattern(kind, r.previousTokenHead, { layer: 1 })),
    ...SLOTS.map((s) =>
      modified(`${s}-${kind}-${P0}`, `${P0}'s attention replaced by ${PATTERNS[kind]} in ${where("every layer-1 head", s)}`, replacePattern(kind, r.previousTokenHead, { layer: 1, slots: [s] })),
    ),
  ]);
}

/** The same into one layer-1 head i; pos20 and pos1 (REPO's `actual_beg`) have no per-slot variants. */
function patternsIntoHead({ r, P0 }: CatalogueContext, i: number): Entry[] {
  const variants: { tag: keyof typeof PATTERNS; kind: PatternKind; begPos?: number }[] = [
    { tag: "real", kind: "real" },
    { tag: "beg", kind: "beg" },
    { tag: "pos20", kind: "beg", begPos: 20 },
    { tag: "pos1", kind: "beg", begPos: 1 },
    { tag: "zero", kind: "zero" },
    { tag: "diag", kind: "diag" },
  ];
  return variants.flatMap(({ tag, kind, begPos }) => {
    const into = begPos === undefined ? { layer: 1, heads: [i] } : { layer: 1, heads: [i], begPos };
    const replaced = `${P0}'s attention replaced by ${PATTERNS[tag]}`;
    return [
      modified(`1.${i}-${tag}-${P0}`, `${replaced} in ${where(`1.${i}`)}`, replacePattern(kind, r.previousTokenHead, into)),
      ...(begPos === undefined ? SLOTS : []).map((s) =>
        modified(`${s}-1.${i}-${tag}-${P0}`, `${replaced} in ${where(`1.${i}`, s)}`, replacePattern(kind, r.previousTokenHead, { ...into, slots: [s] })),
      ),
    ];
  });
}

/** Every pair of heads of the model, also across layers, as REPO's `for a in range(16)` loop. */
function weightSwaps({ g }: CatalogueContext): Entry[] {
  const heads = everyHead(g);
  return heads.flatMap((x, a) =>
    heads.slice(a + 1).flatMap((y) => {
      const pair = `${x.layer}.${x.head}-${y.layer}.${y.head}`;
      const both = `${x.layer}.${x.head} and ${y.layer}.${y.head}`;
      return [
        modified(`swap-${pair}`, `W_Q and W_K exchanged between ${both} (each keeps its own W_V, W_O)`, combine(swapHeadWeights("W_Q", x, y), swapHeadWeights("W_K", x, y))),
        modified(`swap-k-${pair}`, `W_K exchanged between ${both}`, swapHeadWeights("W_K", x, y)),
        modified(`swap-q-${pair}`, `W_Q exchanged between ${both}`, swapHeadWeights("W_Q", x, y)),
      ];
    }),
  );
}

/** How REPO's source labels its `transpose_head` option, kept in every description of it. */
const PROBABLY_WRONG = `"probably wrong" (the authors' label)`;
const TRANSPOSED = "raw scores q·k/√d·mask transposed before the −10000 mask term (past keys score 0, the diagonal keeps its own)";

/** REPO's a1-ind-transpose (on its labelled split's a1.ind node) and transpose-LH (its `transpose_head` option). */
function transposes({ r, g, INDS }: CatalogueContext): Entry[] {
  const ind = r.inductionHeads;
  return [
    { ...modified("a1-ind-transpose", `${PROBABLY_WRONG}: ${INDS}'s ${TRANSPOSED}`, transposeScores(ind.layer, ind.heads)), split: "labelled" },
    ...everyHead(g).map(({ layer: l, head: h }) => modified(`transpose-${l}${h}`, `${PROBABLY_WRONG}: ${l}.${h}'s ${TRANSPOSED}, in every copy of it`, transposeScores(l, [h]))),
  ];
}

/** REPO's transpose-LH-nopos (its `flip` option). */
function flips({ g }: CatalogueContext): Entry[] {
  return everyHead(g).map(({ layer: l, head: h }) => modified(`transpose-${l}${h}-nopos`, `${l}.${h}'s W_Q and W_K exchanged, which transposes its attention scores`, flipQK(l, h)));
}

/** The 16 heads of REPO's loops, layer 0 first. */
const everyHead = (g: HeadGroups) => [...g.layer0.map((head) => ({ layer: 0, head })), ...g.layer1.map((head) => ({ layer: 1, head }))];
