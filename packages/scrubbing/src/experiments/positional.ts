/**
 * Positional scrubs (REPO experiments.py, every `positional-*` entry, with model.py's
 * `split_paths_by_position`; docs/semantics.md §5.6, §6): the layer-0 heads feeding an input of the
 * induction heads at position i see the tokens inside a window around i on the reference row and
 * every other token on a random row. "The value of 1.5 at position i depends only on token i"
 * becomes ev restricted to the tokens that are not i.
 *
 * "1.5" and "1.6" in REPO's names are the first and the other induction heads of the roles; the
 * fine-grained entry's head sets come from the roles as well (see `fineGrained`).
 */
import _ from "lodash";
import { chain, type Matcher, through, union } from "../matchers.js";
import { splitByPosition } from "../model-modifications.js";
import type { Slot } from "../paths.js";
import type { PositionSplit } from "../position-split.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { slot, viaEmb } from "./shorthands.js";

const { makeCorrA } = makers("positional");

type WindowSpec = Pick<PositionSplit, "back" | "include">;

/** REPO's (num_toks_back, num_toks_to_include) pairs, named by what they keep of query position i. */
const CUR: WindowSpec = { back: 0, include: 1 };
const PREV: WindowSpec = { back: 1, include: 1 };
const Q3: WindowSpec = { back: 2, include: 3 }; // "multi-tok ind" queries
const K3: WindowSpec = { back: 3, include: 3 }; // "multi-tok ind" keys
const K4: WindowSpec = { back: 3, include: 4 }; // keys "with positional ek"

function windowName(w: WindowSpec): string {
  const from = w.back ? `i−${w.back}` : "i";
  const last = w.include - w.back - 1;
  const to = last === 0 ? "i" : last < 0 ? `i−${-last}` : `i+${last}`;
  return from === to ? `token ${from}` : `tokens ${from}…${to}`;
}

/** One split per reader head: the `s` input of each of `readers`, layer-0 heads `l0`, window `w`; none if `l0` is empty. */
function by(readers: readonly number[], s: Slot, l0: readonly number[], w: WindowSpec): PositionSplit[] {
  return l0.length ? readers.map((head) => ({ reader: { layer: 1, head, slot: s }, heads: [...l0], ...w })) : [];
}

/** "1.6 V: all layer-0 heads keep token i; …", for descriptions. */
function kept(splits: readonly PositionSplit[], l0: (hs: readonly number[]) => string): string {
  const per = _.groupBy(splits, (s) => `${s.reader.slot}|${s.heads.join(",")}|${s.back},${s.include}`);
  const lines = Object.values(per).map((ss) => {
    const s = ss[0];
    return `${ss.map((x) => `1.${x.reader.head}`).join("/")} ${s.reader.slot.toUpperCase()}: ${l0(s.heads)} keep ${windowName(s)}`;
  });
  return lines.join("; ");
}

/** An entry of one child on `m`, with the splits as its modification. */
function entry(c: CatalogueContext, name: string, what: string, m: Matcher, splits: PositionSplit[]): Entry {
  const description = `${what}. Reference tokens per position i (the rest on a random row): ${kept(splits, c.l0)}`;
  return makeCorrA(name, description, [m], { modification: splitByPosition(splits) });
}

/** REPO's `rc.Matcher("outside_input_toks_int")` (every outside path) and `ind_heads.chain(...)` of it. */
const OUT = through({ layer: 0, window: ["outside"] });
const indOut = (IND: readonly number[]) => chain({ layer: 1, heads: IND }, { layer: 0, window: ["outside"] });
/** `| heads.chain(restrict("a.k", …)).chain(restrict("idxed_embeds", …))`: the direct embedding → K also resampled. */
const andEmbK = (m: Matcher, heads: readonly number[]): Matcher => (heads.length ? union(m, viaEmb(slot(heads, "k"))) : m);

export function positional(c: CatalogueContext): Entry[] {
  const { IND, INDS, g } = c;
  const [first, ...rest] = IND;
  const L0 = g.layer0;
  const e = (name: string, what: string, m: Matcher, splits: PositionSplit[]) => entry(c, name, what, m, splits);
  const V = by(IND, "v", L0, CUR);
  const multi = (heads: readonly number[], k: WindowSpec) => [...by(heads, "v", L0, CUR), ...by(heads, "q", L0, Q3), ...by(heads, "k", L0, k)];
  const firstEk = [...by(IND, "q", L0, Q3), ...by([first], "k", L0, K4), ...by(rest, "k", L0, K3)];
  return [
    e("positional-ev", `positional ev for ${INDS}: V at i reads layer 0 through token i only (direct embedding kept)`, OUT, V),
    e("positional-eq", `positional eq for ${INDS} (direct embedding kept)`, OUT, by(IND, "q", L0, CUR)),
    e("positional-pth-k", `positional pth-k for ${INDS}: K at i reads layer 0 through token i−1 only; direct embedding → K resampled`, andEmbK(OUT, IND), by(IND, "k", L0, PREV)),
    e("positional-all-naive", `positional ev ∪ eq ∪ pth-k for ${INDS}; direct embedding → K resampled`, andEmbK(OUT, IND), [...V, ...by(IND, "q", L0, CUR), ...by(IND, "k", L0, PREV)]),
    e("positional-eq-and-pth-k", `positional eq ∪ pth-k for ${INDS}; direct embedding → K resampled`, andEmbK(OUT, IND), [...by(IND, "q", L0, CUR), ...by(IND, "k", L0, PREV)]),
    e("positional-eq-with-multi-tok-ind", `positional eq for ${INDS} with a longer induction context`, OUT, by(IND, "q", L0, Q3)),
    e("positional-pth-k-with-multi-tok-ind", `positional pth-k for ${INDS} with a longer induction context; direct embedding → K resampled`, andEmbK(OUT, IND), by(IND, "k", L0, K3)),
    e("positional-eq-and-pth-k-with-multi-tok-ind", `positional eq ∪ pth-k for ${INDS} with a longer induction context; direct embedding → K resampled`, andEmbK(OUT, IND), [
      ...by(IND, "q", L0, Q3),
      ...by(IND, "k", L0, K3),
    ]),
    e(`positional-eq-and-pth-k-with-multi-tok-ind-with-1.${first}-positional-ek`, `as positional-eq-and-pth-k-with-multi-tok-ind, but 1.${first}'s K also keeps token i and its direct embedding`, andEmbK(OUT, rest), firstEk),
    e("positional-all-naive-with-multi-tok-ind", `positional ev ∪ eq ∪ pth-k for ${INDS} with a longer induction context; direct embedding → K resampled`, andEmbK(OUT, IND), multi(IND, K3)),
    ...IND.map((i) => e(`positional-all-naive-with-multi-tok-ind-1.${i}`, `positional-all-naive-with-multi-tok-ind for 1.${i} alone`, andEmbK(OUT, [i]), multi([i], K3))),
    ...IND.map((i) =>
      e(`positional-all-naive-with-multi-tok-ind-1.${i}-with-positional-ek`, `as positional-all-naive-with-multi-tok-ind-1.${i}, but K also keeps token i and its direct embedding`, indOut(IND), multi([i], K4)),
    ),
    e("positional-ek", `positional ek for ${INDS} (direct embedding kept)`, indOut(IND), by(IND, "k", L0, CUR)),
    e(`positional-ek-1.${first}`, `positional ek for 1.${first} alone (direct embedding kept)`, indOut(IND), by([first], "k", L0, CUR)),
    e(`positional-all-naive-with-multi-tok-ind-with-1.${first}-positional-ek`, `as positional-all-naive-with-multi-tok-ind, but 1.${first}'s K also keeps token i and its direct embedding`, andEmbK(indOut(IND), rest), [
      ...V,
      ...firstEk,
    ]),
    fineGrained(c),
  ];
}

/**
 * REPO's "...-with-1.5-positional-ek-fine-grained": per input, some layer-0 heads keep a window and
 * the others are resampled whole. REPO lists Redwood's heads; by role (Redwood's in brackets), with
 * kept = pthKPlusKept [0, 6], begin [4, 7], diag − kept [1, 2, 3, 5]:
 *   V: all but P and begin [1, 2, 3, 5, 6] keep token i; P and begin [0, 4, 7] resampled.
 *   Q: kept keep tokens i−2…i; diag − kept token i; begin resampled.
 *   K of the first head: P tokens i−3…i−1; kept − P [6] tokens i−3…i; diag − kept token i; begin resampled.
 *   K of the others: kept tokens i−3…i−1; notKept [1, 2, 3, 4, 5, 7] and the direct embedding resampled.
 * Each line splits the layer-0 heads into disjoint sets for any roles, so no head copy is split twice.
 */
function fineGrained(c: CatalogueContext): Entry {
  const { r, g, P, IND } = c;
  const [first, ...rest] = IND;
  const kept = r.pthKPlusKept;
  const keptNotP = _.without(kept, P);
  const current = _.difference(g.diag, kept);
  const wholeV = _.sortBy(_.union([P], g.begin));
  const splits = [
    ...by(IND, "v", _.difference(g.layer0, wholeV), CUR),
    ...by(IND, "q", kept, Q3),
    ...by(IND, "q", current, CUR),
    ...by([first], "k", [P], K3),
    ...by([first], "k", keptNotP, K4),
    ...by([first], "k", current, CUR),
    ...by(rest, "k", kept, K3),
  ];
  const whole = (heads: readonly number[], s: Slot, l0: readonly number[]) => (heads.length && l0.length ? [chain(slot(heads, s), { layer: 0, heads: l0 })] : []);
  const m = union(indOut(IND), ...whole(IND, "v", wholeV), ...whole(IND, "q", g.begin), ...whole([first], "k", g.begin), ...whole(rest, "k", g.notKept), ...(rest.length ? [viaEmb(slot(rest, "k"))] : []));
  const what = `positional-all-naive-with-multi-tok-ind-with-1.${first}-positional-ek with each layer-0 head given its own window or resampled whole (${c.l0(wholeV)} → V, ${c.l0(g.begin)} → Q and 1.${first}'s K${rest.length ? `, ${c.l0(g.notKept)} and the direct embedding → K of ${c.l1(rest)}` : ""} resampled whole)`;
  return entry(c, `positional-all-naive-with-multi-tok-ind-with-1.${first}-positional-ek-fine-grained`, what, m, splits);
}
