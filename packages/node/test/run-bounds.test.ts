/** The bounds a run is held to before and after its work. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FormatError, ResourceError } from "@isc/core";
import { checkFiniteLosses, checkRunFits } from "../src/run-bounds.js";

test("checkRunFits refuses what would keep more than half the memory, and says how many samples fit", () => {
  const GB = 2 ** 30;
  assert.doesNotThrow(() => checkRunFits(10_000, 300, 24 * GB));
  // (4·300 + 128) bytes a sample: 1 GB holds 808,540 of them, half of it 404,270.
  assert.doesNotThrow(() => checkRunFits(404_270, 300, GB));
  assert.throws(() => checkRunFits(404_271, 300, GB), (e: unknown) => e instanceof ResourceError && /at most 404,270 samples fit/.test((e as Error).message));
});

test("checkFiniteLosses counts NaN and infinite losses", () => {
  assert.doesNotThrow(() => checkFiniteLosses("ev", new Float32Array([0.5, 3])));
  assert.throws(
    () => checkFiniteLosses("ev", new Float32Array([NaN, 1, Infinity, -Infinity])),
    (e: unknown) => e instanceof FormatError && /^ev: 3 of 4 per-token losses are not finite/.test((e as Error).message),
  );
});
