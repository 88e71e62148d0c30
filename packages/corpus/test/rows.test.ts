import { test } from "node:test";
import assert from "node:assert/strict";
import _ from "lodash";
import { makeRows } from "../src/rows.js";

const B = 99;
const SEP = [7, 7];
const seq = (from: number, n: number) => _.range(from, from + n);
const rowsOf = (t: Uint16Array, width: number) => _.chunk(Array.from(t), width);

test("full pieces of a document start rows at the document start; tails are packed with separators", () => {
  const a = seq(1000, 10); // two full rows of 4, tail of 2
  const b = seq(2000, 3); // short document: goes to the packing stream
  const c = seq(3000, 5); // one full row, tail of 1
  const set = makeRows([a, b, c], { textLength: 4, beginId: B, separator: SEP });
  assert.deepEqual(rowsOf(set.tokens, 5), [
    [B, 1000, 1001, 1002, 1003],
    [B, 1004, 1005, 1006, 1007],
    // pack: 1008 1009 | 7 7 2000 2001 2002 | 7 7 3004
    [B, 1008, 1009, 7, 7],
    [B, 3000, 3001, 3002, 3003],
    [B, 2000, 2001, 2002, 7],
  ]);
  assert.equal(set.rows, 5);
  assert.equal(set.usedTokens, 20);
  assert.equal(set.droppedTokens, 2); // "7 3004" left over
});

test("every row starts with BEGIN and no text token is lost except the final partial pack", () => {
  const docs = _.range(50).map((d) => seq(d * 1000, (d * 37) % 23));
  const set = makeRows(docs, { textLength: 10, beginId: B, separator: [7] });
  const rows = rowsOf(set.tokens, 11);
  assert.ok(rows.every((r) => r[0] === B));
  const text = _.sumBy(docs, (d) => d.length);
  assert.equal(set.usedTokens, set.rows * 10);
  assert.ok(set.droppedTokens < 10);
  const seen = rows.flatMap((r) => r.slice(1)).filter((t) => t !== 7);
  assert.equal(new Set(seen).size, seen.length, "no token is used twice");
  assert.ok(seen.length >= text - set.droppedTokens, "only the final partial pack is lost");
});

test("empty input gives no rows", () => {
  const set = makeRows([], { textLength: 300, beginId: B, separator: SEP });
  assert.equal(set.rows, 0);
  assert.equal(set.tokens.length, 0);
});
