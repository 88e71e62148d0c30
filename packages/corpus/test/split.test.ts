import { test } from "node:test";
import assert from "node:assert/strict";
import _ from "lodash";
import { splitDocuments, type SplitDoc } from "../src/split.js";

const docs: SplitDoc[] = [
  ..._.times(400, () => ({ source: "novel", natural: true, tokens: 1000 })),
  ..._.times(4000, () => ({ source: "manual", natural: false, tokens: 1000 })),
];

test("the split is deterministic in the seed and holds out about the requested fraction", () => {
  const a = splitDocuments(docs, { seed: 3, heldOutFraction: 0.05, naturalHeldOutTokens: 0 });
  const b = splitDocuments(docs, { seed: 3, heldOutFraction: 0.05, naturalHeldOutTokens: 0 });
  const c = splitDocuments(docs, { seed: 4, heldOutFraction: 0.05, naturalHeldOutTokens: 0 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const manualHeld = a.slice(400).filter(Boolean).length;
  assert.ok(manualHeld > 140 && manualHeld < 260, `${manualHeld}`);
});

test("natural documents are added until the natural target is met; technical ones are untouched", () => {
  const base = splitDocuments(docs, { seed: 3, heldOutFraction: 0.05, naturalHeldOutTokens: 0 });
  const more = splitDocuments(docs, { seed: 3, heldOutFraction: 0.05, naturalHeldOutTokens: 100_000 });
  assert.deepEqual(more.slice(400), base.slice(400));
  const natural = more.slice(0, 400).filter(Boolean).length;
  assert.equal(natural, 100);
  // The 5% draw is a subset of the larger draw (same uniform numbers, higher threshold).
  base.slice(0, 400).forEach((h, i) => assert.ok(!h || more[i]));
});
