/**
 * `pnpm induction-candidates`: the good-induction-candidate tokens of a tokenizer and corpus.
 * Redwood's selection procedure is not available (docs/semantics.md §3 and §13, Q4), so ours is stated here and
 * in the model card: a token A is a candidate when, at the positions where A has already occurred
 * earlier in the same row, "hard induction" (predict the token that followed A's most recent earlier
 * occurrence) is right at least `--min-hit` of the time, over at least `--min-count` such positions
 * in the training rows. That is a direct, model-free measure of "a previous occurrence really helps
 * prediction". The BEGIN token is never a candidate.
 *
 *   node scripts/dist/src/induction-candidates.js [--data data/corpus/train.u16] [--out weights/default/induction-candidates.json]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readTokenDataset } from "@isc/core";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: "data/corpus/train.u16" },
    out: { type: "string", default: "weights/default/induction-candidates.json" },
    "min-count": { type: "string", default: "20" },
    "min-hit": { type: "string", default: "0.6" },
  },
});
const minCount = Number(values["min-count"]);
const minHit = Number(values["min-hit"]);
if (!(minCount >= 1) || !(minHit > 0 && minHit <= 1)) {
  console.error("induction-candidates: --min-count must be ≥ 1 and --min-hit in (0, 1]");
  process.exit(2);
}

const ds = readTokenDataset(values.data!);
const { tokens, rows, width } = ds;
const V = ds.meta.vocab;
const repeats = new Float64Array(V); // positions where the token already occurred earlier in its row
const hits = new Float64Array(V); // ... and the token after its previous occurrence is the next token
const lastSeen = new Int32Array(V).fill(-1);
const t0 = performance.now();
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
const ids: number[] = [];
for (let a = 0; a < V; a++) {
  if (a === ds.meta.begin_id) continue;
  if (repeats[a] >= minCount && hits[a] / repeats[a] >= minHit) ids.push(a);
}
const covered = ids.reduce((s, a) => s + repeats[a], 0);
const total = repeats.reduce((s, x) => s + x, 0);
writeFileSync(
  values.out!,
  JSON.stringify({
    procedure:
      "token A is a candidate when, at positions where A already occurred earlier in the row, predicting the token that followed A's most recent earlier occurrence is right at least min_hit of the time, over at least min_count such positions in the training rows; BEGIN excluded",
    data: { path: values.data, sha256: ds.meta.sha256, rows },
    min_count: minCount,
    min_hit: minHit,
    vocab: V,
    count: ids.length,
    ids,
  }) + "\n",
);
console.log(
  `${ids.length} candidates of ${V} ids (${((100 * ids.length) / V).toFixed(1)}%); they cover ${((100 * covered) / total).toFixed(1)}% of repeated-token positions; ${((performance.now() - t0) / 1000).toFixed(1)}s -> ${values.out}`,
);
