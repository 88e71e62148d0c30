/**
 * `scrub sweep --queue` with `scrub worker`s on a loopback Redis this test starts: three workers,
 * one killed mid-shard, give the one-process runs bit for bit; bad or unreachable queues are one
 * line and exit 2. Needs Debian's redis-server (.ci/run installs it); without it, and outside CI,
 * the queue tests are skipped with a note.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { writeTinyBundle } from "@isc/node/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRUB = path.resolve(here, "../src/scrub.js");
const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;
const skip = !haveRedis && !process.env.CI ? "redis-server is not installed (apt-get install redis-server)" : false;
const env = { ...process.env, SCRUB_QUIET: "1" };
let bundle: string;
let redis: ChildProcess | undefined;
let url: string;

before(async () => {
  bundle = await writeTinyBundle();
  if (skip) return;
  const port = await freePort();
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  url = `redis://127.0.0.1:${port}`;
  await waitFor(() => spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG", 10_000);
});

after(() => redis?.kill());

function scrub(...args: string[]) {
  return spawnSync(process.execPath, [SCRUB, ...args], { encoding: "utf8", env });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A `scrub worker` whose stderr is collected as it comes. */
function worker(): { proc: ChildProcess; log: () => string } {
  let text = "";
  const proc = spawn(process.execPath, [SCRUB, "worker", "--queue", url, "--model", bundle, "--lock-seconds", "1"], { env, stdio: ["ignore", "ignore", "pipe"] });
  proc.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  return { proc, log: () => text };
}

test("three workers, one killed mid-shard, give the one-process runs bit for bit", { skip }, async () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "sweep-queue-"));
  const workers = [worker(), worker(), worker()];
  const common = ["--samples", "240", "--batch", "4", "--model", bundle, "--results", results];
  const sweep = spawn(process.execPath, [SCRUB, "sweep", "--exps", "ev", "eq", "--shard-rows", "120", "--queue", url, "--save", "q", ...common], { env, stdio: ["ignore", "ignore", "pipe"] });
  let sweepLog = "";
  sweep.stderr!.on("data", (d: Buffer) => (sweepLog += d.toString()));
  const victim = workers[0]!;
  await waitFor(() => /started/.test(victim.log()), 60_000);
  victim.proc.kill("SIGKILL");
  const killedShard = /shard q\/(\S+) started/.exec(victim.log())![1]!;
  const code = await new Promise<number | null>((resolve) => sweep.on("exit", resolve));
  for (const w of workers) w.proc.kill("SIGTERM");
  assert.equal(code, 0, sweepLog);
  assert.doesNotMatch(victim.log(), new RegExp(`${killedShard.replaceAll(".", "\\.")} done`), "the victim died mid-shard");
  assert.ok(workers.slice(1).some((w) => w.log().includes(`shard q/${killedShard} done`)), "another worker did the killed worker's shard");
  for (const e of ["ev", "eq"]) {
    assert.equal(scrub("run", "--exp", e, "--save", `one.${e}`, ...common).status, 0);
    for (const f of ["loss.f32", "sources.i32"]) assert.ok(readFileSync(path.join(results, `q.${e}`, f)).equals(readFileSync(path.join(results, `one.${e}`, f))), `${e} ${f}`);
  }
});

test("a bad queue URL or an unreachable Redis is one line and exit 2, with nothing written", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "sweep-bad-"));
  const cases: [string[], RegExp][] = [
    [["sweep", "--exps", "ev", "--save", "x", "--queue", "http://host:1"], /^scrub: --queue "http:\/\/host:1" is not a redis:\/\/ or rediss:\/\/ URL$/],
    [["sweep", "--exps", "ev", "--save", "x", "--queue", "redis://127.0.0.1:1"], /^scrub: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: ECONNREFUSED$/],
    [["worker", "--queue", "redis://127.0.0.1:1"], /^scrub: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: ECONNREFUSED$/],
    [["worker", "--queue", "not a url"], /^scrub: --queue "not a url" is not a URL: give redis:\/\/HOST:PORT$/],
  ];
  for (const [args, re] of cases) {
    const r = scrub(...args, "--model", bundle, ...(args[0] === "sweep" ? ["--results", results] : []));
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr.trim(), re);
  }
  assert.deepEqual(readdirSync(results), []);
});
