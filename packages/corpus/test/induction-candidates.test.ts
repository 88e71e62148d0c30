/** The candidate rule on rows made by hand: counts, the thresholds, [BEGIN] excluded, and the file. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TokenDatasetFile } from "@isc/core";
import { candidatesFile, inductionCandidates } from "../src/index.js";

const B = 9;
// Token 1 occurs 3 times per row, always followed by 2; token 2 is followed by 1, 1, 3; token 3 by 4, 5, 6, 7.
const row = [B, 1, 2, 1, 2, 1, 2, 3, 4, 3, 5, 3, 6, 3, 7, B, B];
const ds = { tokens: Uint16Array.from([...row, ...row]), rows: 2, width: row.length, meta: { vocab: 10, begin_id: B, sha256: "abc" } } as unknown as TokenDatasetFile;

test("a token is a candidate when hard induction is right often enough over enough repeats; never [BEGIN]", () => {
  // Per row: token 1 repeats twice, right both times; token 2 twice, right once; token 3 three times, never
  // right; [BEGIN] once (position 15; 16 is only a label), wrong.
  assert.deepEqual(inductionCandidates(ds, { minCount: 4, minHit: 0.6 }), { ids: [1], covered: 4, repeated: 2 * (2 + 2 + 3 + 1) });
  assert.deepEqual(inductionCandidates(ds, { minCount: 5, minHit: 0.6 }).ids, []);
  assert.deepEqual(inductionCandidates(ds, { minCount: 1, minHit: 0.5 }).ids, [1, 2]);
  const c = inductionCandidates(ds, { minCount: 4, minHit: 0.6 });
  assert.deepEqual(Object.keys(candidatesFile("rows.u16", ds, { minCount: 4, minHit: 0.6 }, c)), ["procedure", "data", "min_count", "min_hit", "vocab", "count", "ids"]);
});
