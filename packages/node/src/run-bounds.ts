/**
 * What a run may ask for, checked before any work: the per-token losses it must keep grow with
 * `--samples` (samples × T floats), and a request that cannot fit in this machine's memory is
 * refused at once, with the estimate, instead of failing minutes later inside a typed array.
 */
import os from "node:os";
import { FormatError, ResourceError } from "@isc/core";

/** Bytes a run keeps per sample: its T losses (float32) and the row index of each of up to 32 sources (int32). */
function bytesPerSample(T: number): number {
  return 4 * T + 4 * 32;
}

/** Refuses `samples` when what the run keeps would take more than half of this machine's memory. */
export function checkRunFits(samples: number, T: number, totalBytes = os.totalmem()): void {
  const need = samples * bytesPerSample(T);
  if (need > totalBytes / 2) {
    const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GB`;
    const most = Math.floor(totalBytes / 2 / bytesPerSample(T));
    throw new ResourceError(`--samples ${samples} would keep ${gb(need)} of per-token results, more than half of this machine's ${gb(totalBytes)}; at most ${most.toLocaleString("en-US")} samples fit`);
  }
}

/** A run whose losses are NaN or infinite says nothing: the weights or the rows are broken. */
export function checkFiniteLosses(name: string, loss: Float32Array): void {
  let bad = 0;
  for (const x of loss) if (!Number.isFinite(x)) bad++;
  if (bad > 0) throw new FormatError(`${name}: ${bad} of ${loss.length} per-token losses are not finite (NaN or ±Infinity): the model's weights or the data are broken`);
}
