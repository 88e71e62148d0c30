/**
 * Learning rate: linear warm-up from 0, then a cosine from the peak down to `minFrac` of it at the
 * last step. A pure function of the step, so a resumed run needs no schedule state.
 */
export interface Schedule {
  peak: number;
  warmup: number;
  total: number;
  /** The floor the cosine ends at, as a fraction of the peak (0.1). */
  minFrac: number;
}

/** The rate for optimiser step `step` (0-based: the first update uses step 0). */
export function lrAt(step: number, s: Schedule): number {
  if (step < s.warmup) return (s.peak * (step + 1)) / s.warmup;
  const span = Math.max(1, s.total - s.warmup);
  const progress = Math.min(1, (step - s.warmup) / span);
  const floor = s.peak * s.minFrac;
  return floor + (s.peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
