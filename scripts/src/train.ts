/**
 * Trains the attention-only transformer through @isc/core's forward pass (wasm backend here).
 * Resumable: run the same command again and it continues from `<out>/ckpt/`.
 *   node scripts/dist/src/train.js --config default --out runs/default --steps 15000
 * See `--help` and packages/train/src/ for the pieces.
 */
import { initBackend } from "@isc/core";
import { parseArgs, train, USAGE, UsageError } from "@isc/train";

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (flags.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  await initBackend();
  try {
    await train(flags);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main();
