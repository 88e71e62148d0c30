/**
 * The notebooks' loss and % recovered views on a tiny random bundle, without a kernel: every mean
 * carries its standard error, every % recovered its 95 % interval (the CLI's bootstrap), and a
 * category whose baseline gap is unclear is marked †.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ExperimentRun } from "@isc/node";
import { writeTinyBundle } from "@isc/node/testing";
import { recoveredComparison } from "@isc/scrubbing";
import { escapeHtml, fmtPercentInterval, UNCLEAR_NOTE } from "@isc/viz";
import { CATEGORY_LABELS, fmtCategoryMean, lossAndRecoveredHtml, recoveredOf, runMany } from "../lib/experiments.js";
import { recoveredBars } from "../lib/figures.js";
import { type OpenedModel, openModel } from "../lib/model.js";

let m: OpenedModel;
let runs: Map<string, ExperimentRun>;

before(async () => {
  m = await openModel(await writeTinyBundle({ rows: 40, tokensBelow: 40 }));
  runs = await runMany(m, ["unscrubbed", "baseline", "ev", "eq"], { samples: 12, log: false });
});
after(() => m.bundle.model.dispose());

test("recoveredOf is the CLI's comparison: the same values and bootstrap interval", () => {
  const [ev] = recoveredOf(m, runs, ["ev"]);
  const result = (e: string) => runs.get(e)!.result;
  assert.deepEqual(ev, recoveredComparison(m.bundle.masks, { unscrubbed: result("unscrubbed"), baseline: result("baseline"), exp: result("ev") }));
});

test("the loss table has an SE beside every mean; the % recovered table an interval in every cell and † where the gap is unclear", () => {
  const html = lossAndRecoveredHtml(m, runs, ["unscrubbed", "baseline", "ev", "eq"], { stats: ["mean"] });
  assert.equal((html.match(/>SE<\/th>/g) ?? []).length, 4, "one SE column per experiment");
  assert.equal((html.match(/class="isc-ci"/g) ?? []).length, 2 * 9, "an interval per experiment and category");
  assert.match(html, /bootstrap over the 12 reference rows, 1000 resamples, seed 0/);
  const [ev] = recoveredOf(m, runs, ["ev"]);
  assert.ok(html.includes(fmtPercentInterval(ev!.interval.lo[1]!, ev!.interval.hi[1]!)), "CANDIDATES' interval as computed");
  CATEGORY_LABELS.forEach((label, i) => {
    const marked = html.includes(`>${escapeHtml(label)} †</td>`);
    assert.equal(marked, ev!.interval.gapUnclear[i], `${label}: † exactly where the gap is unclear`);
  });
  assert.equal(html.includes(escapeHtml(UNCLEAR_NOTE)), ev!.interval.gapUnclear.some(Boolean));
  assert.equal(fmtCategoryMean(runs.get("ev")!, "CANDIDATES"), `${runs.get("ev")!.manifest.table[1]!.mean.toFixed(3)} ± ${runs.get("ev")!.manifest.table[1]!.se.toFixed(3)}`);
});

test("recoveredBars draws each bar's 95 % interval as an error bar and marks unclear bars", () => {
  const fig = recoveredBars(m, runs, ["ev", "eq"]);
  const ours = fig.data[0] as { y: (number | null)[]; text: string[]; error_y: { array: (number | null)[]; arrayminus: (number | null)[] } };
  const comparisons = recoveredOf(m, runs, ["ev", "eq"]);
  comparisons.forEach((c, j) => {
    const [v, lo, hi] = [c.values[1]!, c.interval.lo[1]!, c.interval.hi[1]!].map((x) => x * 100);
    assert.ok(Math.abs(ours.error_y.array[j]! - Math.max(0, hi! - v!)) < 0.02, `upper whisker of bar ${j}`);
    assert.ok(Math.abs(ours.error_y.arrayminus[j]! - Math.max(0, v! - lo!)) < 0.02, `lower whisker of bar ${j}`);
    assert.equal(ours.text[j]!.endsWith("†"), c.interval.gapUnclear[1]);
  });
});
