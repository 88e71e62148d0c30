/**
 * The original experiment names spell Redwood's heads (previous-token head 0.0, induction heads
 * 1.5/1.6, head sets such as "0647"); the catalogue spells each role with the model's own heads
 * (docs/semantics.md §2.3, §6). This rewrites an original name the same way:
 *
 * - `scrub-{q,k,v}-1.i-0.HEADS[e][-split]`: i and a single head j are loop variables, kept; a list
 *   of two or more heads is a role set (pth-k+'s kept heads, begin, diag, …) and becomes that set's
 *   digits for the model;
 * - `…-0.0` at the end of a pattern modification (real, beg, zero, diag, posN) is the
 *   previous-token head;
 * - in `all-1.6…`, `positional-…` and `k-1.6-…-proj-Nd` names, an induction head 1.5/1.6 becomes
 *   the model's induction head at the same place in the list, and `l0hHEADS` a role set as above
 *   (a single head is kept, as the catalogue keeps `not-pth-k-6`).
 *
 * Every other name (loops over all heads, swaps, transposes, the named hypotheses) is unchanged.
 */
import { type ModelConfig, REDWOOD_ATTN_2L, UsageError } from "@isc/core";
import { type HeadRoles, headGroups, REDWOOD_ROLES } from "@isc/scrubbing";

/** The role head sets whose digit lists appear in original names, in the catalogue's order. */
function roleSets(cfg: ModelConfig, roles: HeadRoles): number[][] {
  const g = headGroups(cfg, roles);
  const kept = roles.pthKPlusKept;
  return [kept, g.begin, [...kept, ...g.begin], g.diag, g.notKept, g.notPrev, g.notBegin, roles.plusHeads, g.ekNarrowKept];
}

/** Digits as the catalogue writes head lists in names (comma-separated beyond 10 heads). */
const digits = (hs: readonly number[], H: number) => hs.join(H > 10 ? "," : "");

export function roleNameMapper(cfg: ModelConfig, roles: HeadRoles): (name: string) => string {
  const R = REDWOOD_ATTN_2L.n_heads;
  const sets = new Map<string, string>();
  const theirs = roleSets(REDWOOD_ATTN_2L, REDWOOD_ROLES);
  const ours = roleSets(cfg, roles);
  theirs.forEach((hs, i) => {
    const [from, to] = [digits(hs, R), digits(ours[i], cfg.n_heads)];
    if (sets.has(from) && sets.get(from) !== to) throw new Error(`Redwood's head set ${from} names two roles that differ in this model`);
    sets.set(from, to);
  });
  const set = (hs: string, name: string) => {
    if (hs.length === 1) return hs;
    const to = sets.get(hs);
    if (to === undefined) throw new UsageError(`${name}: head set ${hs} is none of the roles' sets (${[...sets.keys()].join(", ")})`);
    return to;
  };
  const [theirInd, ourInd] = [REDWOOD_ROLES.inductionHeads.heads, roles.inductionHeads.heads];
  const inductionHead = (h: string, name: string) => {
    const k = theirInd.indexOf(Number(h));
    if (k < 0) return h;
    if (ourInd.length !== theirInd.length) throw new UsageError(`${name}: this model has ${ourInd.length} induction heads, the original ${theirInd.length}`);
    return String(ourInd[k]);
  };
  const P = roles.previousTokenHead.head;
  return (name) => {
    const slot = /^(scrub-[qkv]-1\.\d+-0\.)(\d+)(.*)$/.exec(name);
    if (slot) return slot[1] + set(slot[2], name) + slot[3];
    const pattern = /^(.*(?:real|beg|zero|diag|pos\d+)-)0\.0$/.exec(name);
    if (pattern) return `${pattern[1]}0.${P}`;
    if (/^(all-1\.\d|positional-|k-1\.\d)/.test(name)) {
      return name.replace(/\b1\.(\d+)/g, (_m, h: string) => `1.${inductionHead(h, name)}`).replace(/\bl0h(\d+)/g, (_m, hs: string) => `l0h${set(hs, name)}`);
    }
    return name;
  };
}
