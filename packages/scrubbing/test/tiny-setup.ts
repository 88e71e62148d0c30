/** The tiny model and random rows that the runner's tests scrub. */
import { HookedTransformer, initBackend, Rng, TINY_ATTN_2L } from "@isc/core";
import { TokenDataset } from "../src/index.js";

export const cfg = TINY_ATTN_2L;
export const W = cfg.n_ctx + 1;

/** A random tiny model (seed 7) and 40 random rows (seed 1), after the backend is up. */
export async function tinySetup(): Promise<{ model: HookedTransformer; ds: TokenDataset }> {
  await initBackend({ quiet: true });
  const r = new Rng(1);
  const ds = new TokenDataset(Int32Array.from({ length: 40 * W }, () => r.int(cfg.d_vocab)), W, "test rows");
  return { model: HookedTransformer.random(cfg, 7), ds };
}

/** The largest absolute difference between two equally long arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
