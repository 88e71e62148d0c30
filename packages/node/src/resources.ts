import { tf } from "@isc/core";

/**
 * What a long command cost, for its last line: peak resident memory, and whether it left tfjs'
 * tensor count where it found it (a leak shows up here long before it runs out of memory).
 */
export function resourceSummary(tensorsBefore: number): string {
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const after = tf.memory().numTensors;
  return `peak RSS ${peakMb.toLocaleString("en-US")} MB · tfjs tensors ${tensorsBefore} → ${after}${after === tensorsBefore ? " (flat)" : " (LEAK)"}`;
}
