/** The flag parser every command and script shares. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFlags, UsageError } from "../src/index.js";

test("flag parser: lists, ints, booleans and errors", () => {
  const spec = { exp: { type: "list", help: "" }, n: { type: "int", min: 1, help: "" }, v: { type: "boolean", help: "" } } as const;
  assert.deepEqual(parseFlags(["--exp", "a", "b", "--n", "3", "--v"], spec), { exp: ["a", "b"], n: 3, v: true });
  assert.deepEqual(parseFlags(["--n=4"], spec), { n: 4 });
  assert.throws(() => parseFlags(["--n", "0"], spec), UsageError);
  assert.throws(() => parseFlags(["--exp"], spec), /needs at least one value/);
  assert.throws(() => parseFlags(["--n"], spec), /needs a value/);
});
