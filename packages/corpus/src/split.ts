/**
 * Train / held-out split by whole document. Every document gets a uniform draw u from a seeded stream per
 * source; a document is held out when u < heldOutFraction. Natural-English sources then give up more
 * documents (in increasing u, so still a uniform random sample of each of them) until the held-out natural
 * text reaches a target: the evaluation set should be mostly natural English, and each small literary source
 * alone would not fill it at 5%.
 */
import { Rng } from "@isc/core";

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
  const streams = new Map<string, Rng>();
  const u = docs.map((d) => {
    let r = streams.get(d.source);
    if (!r) streams.set(d.source, (r = base.fork(`split:${d.source}`)));
    return r.float();
  });
  const held = u.map((x) => x < opts.heldOutFraction);
  let natural = 0;
  docs.forEach((d, i) => {
    if (held[i] && d.natural) natural += d.tokens;
  });
  const candidates = docs.map((_, i) => i).filter((i) => docs[i].natural && !held[i]).sort((a, b) => u[a] - u[b]);
  for (const i of candidates) {
    if (natural >= opts.naturalHeldOutTokens) break;
    held[i] = true;
    natural += docs[i].tokens;
  }
  return held;
}
