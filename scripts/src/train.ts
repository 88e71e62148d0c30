/**
 * Trains the attention-only transformer through @isc/core's forward pass (wasm backend here).
 * Resumable: run the same command again and it continues from `<out>/ckpt/`.
 *   node scripts/dist/src/train.js --config default --out runs/default --steps 15000
 * See `--help` and packages/train/src/ for the pieces.
 */
import { initBackend } from "@isc/core";
import { parseOrHelp, runMain } from "@isc/node";
import { train, TRAIN_COMMAND, trainFlags } from "@isc/train";

runMain("train", async () => {
  const args = parseOrHelp(process.argv.slice(2), TRAIN_COMMAND);
  if (!args) return;
  const flags = trainFlags(args.flags);
  await initBackend();
  await train(flags);
});
