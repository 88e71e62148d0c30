/** The flag parser every command and script shares. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommand, parseFlags, usage, UsageError } from "../src/index.js";

test("flag parser: lists, ints, booleans and errors", () => {
  const spec = { exp: { type: "list", help: "" }, n: { type: "int", min: 1, help: "" }, v: { type: "boolean", help: "" } } as const;
  assert.deepEqual(parseFlags(["--exp", "a", "b", "--n", "3", "--v"], spec), { exp: ["a", "b"], n: 3, v: true });
  assert.deepEqual(parseFlags(["--n=4"], spec), { n: 4 });
  assert.throws(() => parseFlags(["--n", "0"], spec), UsageError);
  assert.throws(() => parseFlags(["--exp"], spec), /needs at least one value/);
  assert.throws(() => parseFlags(["--n"], spec), /needs a value/);
});

test("floats, ranges, choices, aliases and inline values with '='", () => {
  const spec = {
    x: { type: "float", min: 0, max: 1, help: "" },
    k: { type: "string", choices: ["a", "b", "c"], help: "" },
    w: { type: "string", help: "" },
    q: { type: "boolean", short: "q", help: "" },
  } as const;
  assert.deepEqual(parseFlags(["--x", "0.25", "--k", "b", "-q", "--w=a=1,b=2"], spec), { x: 0.25, k: "b", q: true, w: "a=1,b=2" });
  assert.throws(() => parseFlags(["--x", "1.5"], spec), /--x must be in \[0, 1\], got 1\.5/);
  assert.throws(() => parseFlags(["--x", "abc"], spec), /--x must be a number, got "abc"/);
  assert.throws(() => parseFlags(["--x="], spec), /--x must be a number/);
  assert.throws(() => parseFlags(["--k", "d"], spec), /--k must be a, b or c, got "d"/);
  assert.throws(() => parseFlags(["-z"], spec), /unknown option -z/);
  assert.throws(() => parseFlags(["stray"], spec), /unexpected argument "stray"/);
});

test("positional arguments only where the command takes them, within their count", () => {
  const cmd = { name: "tool", summary: "Does a thing.", flags: { out: { type: "string", help: "where" } }, positionals: { name: "SRC DST", min: 2, max: 2 } } as const;
  assert.deepEqual(parseCommand(["a", "--out", "o", "b"], cmd), { flags: { out: "o" }, positionals: ["a", "b"] });
  assert.throws(() => parseCommand(["a"], cmd), /needs SRC DST/);
  assert.throws(() => parseCommand(["a", "b", "c"], cmd), /too many arguments/);
});

test("usage names the command, its positionals and every flag with its value's name", () => {
  const text = usage({
    name: "scrub run",
    summary: "Runs it.",
    flags: { samples: { type: "int", help: "rows" }, kind: { type: "string", choices: ["x", "y"], help: "one\ntwo" }, v: { type: "boolean", help: "loud" } },
    positionals: { name: "FILE ..." },
  });
  assert.match(text, /^usage: scrub run \[options\] \[FILE \.\.\.\]\n\nRuns it\.\n/);
  assert.match(text, /\n {2}--samples N {14}rows\n/);
  assert.match(text, /\n {2}--kind x\|y {15}one\n {27}two\n/);
});
