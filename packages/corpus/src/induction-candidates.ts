/**
 * The good-induction-candidate tokens of a tokenizer and corpus. Redwood's selection procedure is
 * unpublished (docs/semantics.md §3 and §13, Q4), so ours is stated here and in the model card: a token A is a
 * candidate when, at the positions where A has already occurred earlier in the same row, "hard
 * induction" (predict the token that followed A's most recent earlier occurrence) is right at least
 * `minHit` of the time, over at least `minCount` such positions in the training rows. That is a
 * direct, model-free measure of "a previous occurrence really helps prediction". The BEGIN token is
 * never a candidate.
 */
import type { TokenDatasetFile } from "@isc/core";
import _ from "lodash";

export const CANDIDATE_PROCEDURE =
  "token A is a candidate when, at positions where A already occurred earlier in the row, predicting the token that followed A's most recent earlier occurrence is right at least min_hit of the time, over at least min_count such positions in the training rows; BEGIN excluded";

export interface CandidateOptions {
  minCount: number;
  minHit: number;
}

export interface Candidates {
  ids: number[];
  /** Repeated-token positions whose token is a candidate. */
  covered: number;
  /** All repeated-token positions. */
  repeated: number;
}

export function inductionCandidates(ds: TokenDatasetFile, o: CandidateOptions): Candidates {
  const { repeats, hits } = hardInductionCounts(ds);
  const ids = _.range(ds.meta.vocab).filter((a) => a !== ds.meta.begin_id && repeats[a] >= o.minCount && hits[a] / repeats[a] >= o.minHit);
  return { ids, covered: _.sumBy(ids, (a) => repeats[a]), repeated: _.sum(repeats) };
}

/** induction-candidates.json: the ids with the procedure and the data they came from. */
export function candidatesFile(dataPath: string, ds: TokenDatasetFile, o: CandidateOptions, c: Candidates) {
  return {
    procedure: CANDIDATE_PROCEDURE,
    data: { path: dataPath, sha256: ds.meta.sha256, rows: ds.rows },
    min_count: o.minCount,
    min_hit: o.minHit,
    vocab: ds.meta.vocab,
    count: c.ids.length,
    ids: c.ids,
  };
}

/** Per token: positions where it already occurred earlier in its row, and how often the token after that occurrence comes next. */
function hardInductionCounts({ tokens, rows, width, meta }: TokenDatasetFile): { repeats: Float64Array; hits: Float64Array } {
  const V = meta.vocab;
  const repeats = new Float64Array(V);
  const hits = new Float64Array(V);
  const lastSeen = new Int32Array(V).fill(-1);
  for (let r = 0; r < rows; r++) {
    const row = tokens.subarray(r * width, (r + 1) * width);
    // Only positions t with a label row[t + 1] count; lastSeen is reset per row by remembering touched ids.
    for (let t = 0; t < width - 1; t++) {
      const a = row[t];
      const p = lastSeen[a];
      if (p >= 0) {
        repeats[a]++;
        if (row[p + 1] === row[t + 1]) hits[a]++;
      }
      lastSeen[a] = t;
    }
    for (let t = 0; t < width; t++) lastSeen[row[t]] = -1;
  }
  return { repeats, hits };
}
