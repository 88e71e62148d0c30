/** The ICL breakdown by row source: group means, standard errors, registers, and the table. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { iclBreakdown, iclTable } from "../src/icl-groups.js";

const perRow = { early: Float64Array.from([4, 5, 3, 3]), late: Float64Array.from([3.5, 4.3, 3.2, 3.0]) };
const names = ["prose", "prose", "dict", "dict"];

test("groups: per-source and per-register means, score = late − early, s.e. over the rows", () => {
  const b = iclBreakdown(perRow, names, { prose: "natural", dict: "technical" });
  const prose = b.sources.find((g) => g.name === "prose")!;
  assert.equal(prose.rows, 2);
  assert.ok(Math.abs(prose.score - -0.6) < 1e-12); // (−0.5 − 0.7) / 2
  assert.ok(Math.abs(prose.se - 0.1) < 1e-12); // sample sd of {−0.5, −0.7} is 0.1414, / √2
  const dict = b.sources.find((g) => g.name === "dict")!;
  assert.ok(Math.abs(dict.score - 0.1) < 1e-12);
  assert.deepEqual(b.registers.map((g) => [g.name, g.rows]), [["natural", 2], ["technical", 2]]);
  assert.ok(Math.abs(b.all.score - -0.25) < 1e-12);
  assert.ok(Math.abs(b.all.early - 3.75) < 1e-12);
  const table = iclTable(b);
  assert.match(table, /\| prose \| 2 \| 4\.500 \| 3\.900 \| -0\.600 ± 0\.100 \|/);
  assert.match(table, /\| \*\*all\*\* \| 4 \|/);
  assert.throws(() => iclBreakdown(perRow, names.slice(1)), /3 row names for 4 rows/);
});
