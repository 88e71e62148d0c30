/**
 * Train / held-out split by whole document. Every document gets a uniform draw u from a seeded stream per
 * source; a document is held out when u < heldOutFraction. Natural-English sources then give up more
 * documents (in increasing u, so still a uniform random sample of each of them) until the held-out natural
 * text reaches a target: the evaluation set should be mostly natural English, and each small literary source
 * alone would not fill it at 5%.
 */
import { Rng } from "@isc/core";
import _ from "lodash";

export interface SplitDoc {
  source: string;
  natural: boolean;
  tokens: number;
}

export interface SplitOptions {
  seed: number;
  heldOutFraction: number;
  /** Held-out natural-English documents are added until their tokens reach this. */
  naturalHeldOutTokens: number;
}

/** Returns, per document (same order as given), whether it is held out. */
export function splitDocuments(docs: readonly SplitDoc[], opts: SplitOptions): boolean[] {
  const base = new Rng(opts.seed);
  // One stream per source (forking leaves `base` as it is, so the order of first use does not matter).
  const stream = _.memoize((source: string) => base.fork(`split:${source}`));
  const u = docs.map((d) => stream(d.source).float());
  const held = u.map((x) => x < opts.heldOutFraction);
  let natural = _.sumBy(docs.filter((d, i) => held[i] && d.natural), (d) => d.tokens);
  const candidates = _.sortBy(_.range(docs.length).filter((i) => docs[i].natural && !held[i]), (i) => u[i]);
  for (const i of candidates) {
    if (natural >= opts.naturalHeldOutTokens) break;
    held[i] = true;
    natural += docs[i].tokens;
  }
  return held;
}
