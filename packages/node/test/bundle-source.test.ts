/** The browser's bundle loader (scrubbing's loadBundleFrom over any BundleSource) assembles what @isc/node's loadBundle does. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { dirSource, initBackend } from "@isc/core";
import { loadBundleFrom, MASK_KEYS } from "@isc/scrubbing";
import { loadBundle } from "../src/index.js";
import { writeTinyBundle } from "../src/testing.js";

test("loadBundleFrom(dirSource(dir)) gives the CLI bundle's dataset, roles, token strings and masks", async () => {
  await initBackend({ quiet: true });
  const dir = await writeTinyBundle({ rows: 30 });
  const cli = await loadBundle(dir);
  const stages: string[] = [];
  const web = await loadBundleFrom(dirSource(dir), { onStage: (s) => stages.push(s) });
  assert.deepEqual(stages, ["model card", "weights", "tokenizer", "dataset", "masks"]);
  assert.deepEqual(web.roles, cli.roles);
  assert.equal(web.datasetSha256, cli.datasetSha256);
  assert.deepEqual(web.dataset.tokens, cli.dataset.tokens);
  assert.deepEqual(web.tokenStrings, cli.tokenStrings);
  const idx = Int32Array.from([0, 3, 29]);
  const a = web.masks.gather(idx, MASK_KEYS);
  const b = cli.masks.gather(idx, MASK_KEYS);
  for (const k of MASK_KEYS) assert.deepEqual(a[k], b[k], k);
  for (const k of Object.keys(cli.model.params)) assert.deepEqual(await web.model.params[k].data(), await cli.model.params[k].data(), k);
  web.model.dispose();
  cli.model.dispose();
  await assert.rejects(loadBundleFrom(dirSource(path.join(dir, "nope"))), /missing model card: cannot read .*card\.json: ENOENT/);
});
