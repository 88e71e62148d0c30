import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatError } from "@isc/core";
import {
  CategoryMasks,
  EXTRA_MASK_KEYS,
  MASK_KEYS,
  TABLE_CATEGORIES,
  TABLE_MASK_KEYS,
  erbRaw,
  fuzzyErbRaw,
  miRaw,
  repRaw,
  stdizeToken,
  tokenClasses,
  type MaskKey,
} from "../src/index.js";

// A 10-token vocabulary. Under stdize, 1/2/3 collapse to "THE" and the pure punctuation 6/7 to "".
const TOKEN_STRINGS = ["[BEGIN]", " the", "The", "the,", " cat", " sat", ".", ",", " dog", "\n"];
// Good induction candidates: " the", " cat", " sat", ",".
const CANDIDATES = new Uint8Array([0, 1, 0, 0, 1, 1, 0, 1, 0, 0]);
// Ranks (a permutation). With uncommonRank 4 the uncommon ids (rank >= 4) are 2, 3, 4, 6, 7, 9;
// the common ones are 0 (rank 0), 1 (1), 5 (2), 8 (3).
const RANKS = new Uint32Array([0, 1, 5, 6, 7, 2, 8, 9, 3, 4]);
const UNCOMMON_RANK = 4;

// Row A: BEGIN cat sat cat dog cat sat sat cat   (strict bigram repeats and misleading induction)
const ROW_A = [0, 4, 5, 4, 8, 4, 5, 5, 4];
// Row B: BEGIN " the" " cat" "." "The" " cat" "the," "," " the"   (fuzzy-only bigram repeats)
const ROW_B = [0, 1, 4, 6, 2, 4, 3, 7, 1];

test("stdizeToken: upper-case, then strip ' ()[]{},.:;-_\"' at both ends only", () => {
  assert.equal(stdizeToken(" the"), "THE");
  assert.equal(stdizeToken("The"), "THE");
  assert.equal(stdizeToken("the,"), "THE");
  assert.equal(stdizeToken('("the")'), "THE");
  assert.equal(stdizeToken("."), "");
  assert.equal(stdizeToken(',"-_:;'), "");
  assert.equal(stdizeToken("a b"), "A B"); // interior characters are kept
  assert.equal(stdizeToken("x.y."), "X.Y");
  assert.equal(stdizeToken("\nfoo "), "\nFOO"); // only the listed characters: a newline is not stripped
  assert.equal(stdizeToken("ß"), "SS"); // full Unicode case mapping, as Python's str.upper
});

test("tokenClasses: classes numbered by first appearance", () => {
  const { classOf, numClasses } = tokenClasses(TOKEN_STRINGS);
  // "BEGIN"=0, "THE"=1 (ids 1,2,3), "CAT"=2, "SAT"=3, ""=4 (ids 6,7), "DOG"=5, "\n"=6
  assert.deepEqual([...classOf], [0, 1, 1, 1, 2, 3, 4, 4, 5, 6]);
  assert.equal(numClasses, 7);
});

test("repRaw: token occurred at an earlier position", () => {
  // A: 0 4 5 4 8 4 5 5 4 -> the 4 at p=3, 4/5 at p=5..8 repeat
  assert.deepEqual([...repRaw(ROW_A)], [0, 0, 0, 1, 0, 1, 1, 1, 1]);
  assert.deepEqual([...repRaw(ROW_B)], [0, 0, 0, 0, 0, 1, 0, 0, 1]);
});

test("erbRaw: bigram seen earlier, seeded with (row[0], row[1]), positions 0 and 1 false", () => {
  // A: seed (0,4); p2 (4,5) new; p3 (5,4) new; p4 (4,8) new; p5 (8,4) new; p6 (4,5) seen at p2;
  //    p7 (5,5) new; p8 (5,4) seen at p3.
  assert.deepEqual([...erbRaw(ROW_A)], [0, 0, 0, 0, 0, 0, 1, 0, 1]);
  // Seeding: in 4 5 4 5 the bigram (4,5) at p=3 repeats the seed bigram (row[0], row[1]).
  assert.deepEqual([...erbRaw([4, 5, 4, 5])], [0, 0, 0, 1]);
  // 5 5 5: seed (5,5), so p=2 is a repeat; p=1 itself is never flagged.
  assert.deepEqual([...erbRaw([5, 5, 5])], [0, 0, 1]);
  assert.deepEqual([...erbRaw([4, 4])], [0, 0]);
  // Strict ids: row B has no repeated bigram at all.
  assert.deepEqual([...erbRaw(ROW_B)], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test("fuzzyErbRaw: ' the' / 'The' / 'the,' and '.' / ',' collapse", () => {
  const { classOf } = tokenClasses(TOKEN_STRINGS);
  // B in classes: 0 1 2 4 1 2 1 4 1 (BEGIN THE CAT "" THE CAT THE "" THE)
  // seed (0,1); p2 (1,2) new; p3 (2,4) new; p4 (4,1) new; p5 (1,2) seen at p2 ("The cat" ~ " the cat");
  // p6 (2,1) new; p7 (1,4) new; p8 (4,1) seen at p4 (", the" ~ ". The").
  assert.deepEqual([...fuzzyErbRaw(ROW_B, classOf)], [0, 0, 0, 0, 0, 1, 0, 0, 1]);
});

test("miRaw: previous token was followed before, but never by this one", () => {
  // A: succ = {0:{4}}
  // p2 prev 4 unseen -> 0, succ[4]={5};  p3 prev 5 unseen -> 0, succ[5]={4}
  // p4 prev 4 seen, 8 not in {5} -> 1;    p5 prev 8 unseen -> 0
  // p6 prev 4 seen, 5 in {5,8} -> 0;      p7 prev 5 seen, 5 not in {4} -> 1;  p8 prev 5 seen, 4 in {4,5} -> 0
  assert.deepEqual([...miRaw(ROW_A)], [0, 0, 0, 0, 1, 0, 0, 1, 0]);
  // Seeding: 4 4 5 -> succ = {4:{4}}; p2 prev 4 seen, 5 not in {4} -> 1.
  assert.deepEqual([...miRaw([4, 4, 5])], [0, 0, 1]);
  // B: only p6 (prev " cat" was followed by "." before, now by "the,").
  assert.deepEqual([...miRaw(ROW_B)], [0, 0, 0, 0, 0, 0, 1, 0, 0]);
});

// REPO's literal per-row algorithms (sets of tuples, dict of sets), as reference implementations.
function refErb(row: number[]): number[] {
  const seen = new Set([`${row[0]},${row[1]}`]);
  return row.map((tok, p) => {
    if (p < 2) return 0;
    const k = `${row[p - 1]},${tok}`;
    if (seen.has(k)) return 1;
    seen.add(k);
    return 0;
  });
}
function refMi(row: number[]): number[] {
  const succ = new Map<number, Set<number>>([[row[0]!, new Set([row[1]!])]]);
  return row.map((tok, p) => {
    if (p < 2) return 0;
    const prev = row[p - 1]!;
    const s = succ.get(prev);
    const out = s !== undefined && !s.has(tok) ? 1 : 0;
    if (s === undefined) succ.set(prev, new Set([tok]));
    else s.add(tok);
    return out;
  });
}
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test("erbRaw and miRaw agree with REPO's literal algorithms on random rows", () => {
  const rnd = lcg(7);
  for (let trial = 0; trial < 200; trial++) {
    const alphabet = 2 + Math.floor(rnd() * 6); // small alphabets force many repeats
    const row = Array.from({ length: 2 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * alphabet));
    assert.deepEqual([...erbRaw(row)], refErb(row), `erb ${row}`);
    assert.deepEqual([...miRaw(row)], refMi(row), `mi ${row}`);
  }
});

function datasetMasks(rows: number[][]): CategoryMasks {
  return CategoryMasks.compute({
    tokens: new Uint16Array(rows.flat()),
    width: rows[0]!.length,
    candidates: CANDIDATES,
    ranks: RANKS,
    tokenStrings: TOKEN_STRINGS,
    uncommonRank: UNCOMMON_RANK,
  });
}

// Loss positions t = 0..7; input row[t], label row[t+1].
// Row A raw (by dataset position p): rep [0,0,0,1,0,1,1,1,1], erb = ferb [0,0,0,0,0,0,1,0,1], mi [0,0,0,0,1,0,0,1,0]
//   t:      0    1    2    3    4    5    6    7
//   (a,b): 0,4  4,5  5,4  4,8  8,4  4,5  5,5  5,4
const EXPECT_A: Record<MaskKey, number[]> = {
  overall: [1, 1, 1, 1, 1, 1, 1, 1],
  inductionCandidates: [0, 1, 1, 1, 0, 1, 1, 1], // cand[a]
  repeatCandidates: [0, 0, 0, 1, 0, 1, 1, 1], // cand[a] & rep[t]
  repeats: [0, 0, 1, 0, 1, 1, 1, 1], // rep[t+1]
  uncommonRepeats: [0, 0, 1, 0, 1, 0, 0, 1], // & rank(b) >= 4: b=4 yes, 5/8 no
  nerbUncommonRepeats: [0, 0, 1, 0, 1, 0, 0, 0], // & !erb[t+1] (erb(t) = [0,0,0,0,0,1,0,1])
  misleadingInduction: [0, 0, 0, 1, 0, 0, 0, 0], // mi[t+1] = t3, t6; & rank(a) >= 4: a=4 yes, a=5 no
  candidateErb: [0, 0, 0, 0, 0, 1, 0, 1],
  nferbUncommonRepeats: [0, 0, 1, 0, 1, 0, 0, 0], // ferb = erb here
  erb: [0, 0, 0, 0, 0, 1, 0, 1],
  ferb: [0, 0, 0, 0, 0, 1, 0, 1],
  ferbnerb: [0, 0, 0, 0, 0, 0, 0, 0],
  nCandidateErb: [1, 1, 1, 1, 1, 0, 1, 0],
  candidateFerb: [0, 0, 0, 0, 0, 1, 0, 1],
  candidateFerbnerb: [0, 0, 0, 0, 0, 0, 0, 0],
  nferbnerbUncommonRepeats: [1, 1, 1, 1, 1, 1, 1, 1],
};
// Row B raw: rep [0,0,0,0,0,1,0,0,1], erb all 0, ferb [0,0,0,0,0,1,0,0,1], mi [0,0,0,0,0,0,1,0,0]
//   t:      0    1    2    3    4    5    6    7
//   (a,b): 0,1  1,4  4,6  6,2  2,4  4,3  3,7  7,1
const EXPECT_B: Record<MaskKey, number[]> = {
  overall: [1, 1, 1, 1, 1, 1, 1, 1],
  inductionCandidates: [0, 1, 1, 0, 0, 1, 0, 1], // a in {1,4,5,7}
  repeatCandidates: [0, 0, 0, 0, 0, 1, 0, 0], // rep[t] only at t=5
  repeats: [0, 0, 0, 0, 1, 0, 0, 1], // rep[t+1]
  uncommonRepeats: [0, 0, 0, 0, 1, 0, 0, 0], // t7's label 1 is common (rank 1)
  nerbUncommonRepeats: [0, 0, 0, 0, 1, 0, 0, 0], // no strict ERB
  misleadingInduction: [0, 0, 0, 0, 0, 1, 0, 0], // mi[6] -> t=5, a=4 uncommon
  candidateErb: [0, 0, 0, 0, 0, 0, 0, 0],
  nferbUncommonRepeats: [0, 0, 0, 0, 0, 0, 0, 0], // the one UR position (t4) is a fuzzy ERB
  erb: [0, 0, 0, 0, 0, 0, 0, 0],
  ferb: [0, 0, 0, 0, 1, 0, 0, 1], // ferb[t+1]
  ferbnerb: [0, 0, 0, 0, 1, 0, 0, 1],
  nCandidateErb: [1, 1, 1, 1, 1, 1, 1, 1],
  candidateFerb: [0, 0, 0, 0, 0, 0, 0, 1], // t7: a="," is a candidate
  candidateFerbnerb: [0, 0, 0, 0, 0, 0, 0, 1],
  nferbnerbUncommonRepeats: [1, 1, 1, 1, 0, 1, 1, 1], // NOT(ferbnerb & UR)
};

test("CategoryMasks: every mask of the whole dataset, worked out by hand", () => {
  const cm = datasetMasks([ROW_A, ROW_B]);
  assert.equal(cm.rows, 2);
  assert.equal(cm.lossWidth, 8);
  for (const key of MASK_KEYS) {
    assert.deepEqual([...cm.datasetMask(key)], [...EXPECT_A[key], ...EXPECT_B[key]], key);
  }
});

test("CategoryMasks.gather: masks of sampled rows, repeats allowed, in sample order", () => {
  const cm = datasetMasks([ROW_A, ROW_B]);
  const g = cm.gather(new Int32Array([1, 0, 1]));
  assert.deepEqual(Object.keys(g), [...TABLE_MASK_KEYS]);
  for (const key of TABLE_MASK_KEYS) {
    assert.deepEqual([...g[key]], [...EXPECT_B[key], ...EXPECT_A[key], ...EXPECT_B[key]], key);
  }
  const extra = cm.gather(new Int32Array([0]), EXTRA_MASK_KEYS);
  for (const key of EXTRA_MASK_KEYS) assert.deepEqual([...extra[key]], EXPECT_A[key], key);
  assert.throws(() => cm.gather(new Int32Array([2])), RangeError);
  assert.throws(() => cm.gather(new Int32Array([-1])), RangeError);
});

test("alignment: REPEATS refers to the label row[t+1], LATER CANDIDATES to the input row[t]", () => {
  // BEGIN cat cat: t=0 (BEGIN -> cat), t=1 (cat -> cat).
  // The label of t=1 is a repeat, but the input of t=1 (p=1) is the first cat, so not a later candidate.
  let cm = datasetMasks([[0, 4, 4]]);
  assert.deepEqual([...cm.datasetMask("repeats")], [0, 1]);
  assert.deepEqual([...cm.datasetMask("repeatCandidates")], [0, 0]);
  assert.deepEqual([...cm.datasetMask("inductionCandidates")], [0, 1]);
  // BEGIN cat cat cat: at t=2 the input (p=2) is now a repeated candidate.
  cm = datasetMasks([[0, 4, 4, 4]]);
  assert.deepEqual([...cm.datasetMask("repeatCandidates")], [0, 0, 1]);
  // ERB/MI are read at t+1: in BEGIN cat sat cat sat, the bigram (cat,sat) repeats at p=4, which is
  // the label of loss position t=3.
  cm = datasetMasks([[0, 4, 5, 4, 5]]);
  assert.deepEqual([...cm.datasetMask("erb")], [0, 0, 0, 1]);
  // UNCOMMON uses the label's rank for repeats but the input's rank for MI: BEGIN dog cat dog sat
  // (dog common, cat uncommon). MI at p=4 (dog followed by sat, not cat) -> t=3 whose input dog is common.
  cm = datasetMasks([[0, 8, 4, 8, 5]]);
  assert.deepEqual([...cm.datasetMask("misleadingInduction")], [0, 0, 0, 0]);
  cm = datasetMasks([[0, 4, 8, 4, 5]]); // same shape with cat (uncommon) as the misleading input
  assert.deepEqual([...cm.datasetMask("misleadingInduction")], [0, 0, 0, 1]);
});

test("CategoryMasks agrees with a direct per-row evaluation of docs/semantics.md §4 on random data", () => {
  const rnd = lcg(99);
  const width = 31;
  const rows = Array.from({ length: 40 }, () => [0, ...Array.from({ length: width - 1 }, () => 1 + Math.floor(rnd() * 9))]);
  const cm = datasetMasks(rows);
  const { classOf } = tokenClasses(TOKEN_STRINGS);
  rows.forEach((row, r) => {
    const rep = repRaw(row);
    const erb = refErb(row);
    const ferb = refErb(row.map((t) => classOf[t]!));
    const mi = refMi(row);
    for (let t = 0; t < width - 1; t++) {
      const at = (key: MaskKey): number => cm.datasetMask(key)[r * (width - 1) + t]!;
      const cand = CANDIDATES[row[t]!]!;
      const ur = rep[t + 1]! && RANKS[row[t + 1]!]! >= UNCOMMON_RANK ? 1 : 0;
      assert.equal(at("inductionCandidates"), cand);
      assert.equal(at("repeatCandidates"), cand & rep[t]!);
      assert.equal(at("repeats"), rep[t + 1]);
      assert.equal(at("uncommonRepeats"), ur);
      assert.equal(at("nerbUncommonRepeats"), ur & (1 - erb[t + 1]!));
      assert.equal(at("misleadingInduction"), mi[t + 1]! & (RANKS[row[t]!]! >= UNCOMMON_RANK ? 1 : 0));
      assert.equal(at("candidateErb"), cand & erb[t + 1]!);
      assert.equal(at("nferbUncommonRepeats"), ur & (1 - ferb[t + 1]!));
    }
  });
});

test("CategoryMasks rejects inconsistent inputs", () => {
  const base = { candidates: CANDIDATES, ranks: RANKS, tokenStrings: TOKEN_STRINGS };
  assert.throws(() => CategoryMasks.compute({ ...base, tokens: new Uint16Array([0, 1, 2]), width: 2 }), FormatError);
  assert.throws(() => CategoryMasks.compute({ ...base, tokens: new Uint16Array([0, 10]), width: 2 }), FormatError);
  assert.throws(
    () => CategoryMasks.compute({ ...base, ranks: new Uint32Array(3), tokens: new Uint16Array([0, 1]), width: 2 }),
    FormatError,
  );
});

test("table categories: order and both label sets", () => {
  assert.deepEqual(
    TABLE_CATEGORIES.map((c) => c.label),
    [
      "OVERALL",
      "CANDIDATES",
      "LATER CANDIDATES",
      "REPEATS",
      "UNCOMMON REPEATS",
      "NON-ERB UNCOMMON REPEATS",
      "MISLEADING INDUCTION",
      "CANDIDATE ERB",
      "NFERB UR",
    ],
  );
  assert.equal(TABLE_CATEGORIES[5]!.shortLabel, "NERB UR");
  assert.deepEqual(
    TABLE_CATEGORIES.map((c) => c.key),
    [...TABLE_MASK_KEYS],
  );
});
