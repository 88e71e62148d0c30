/**
 * Redwood CUI's red/blue colour rule (docs/semantics.md §8.3; INTERP `ui_common.tsx` `toColor`,
 * `colorNegPos`, `colorSaturation`), reproduced expression for expression so a figure here shows
 * the same shade CUI showed for the same value:
 *   v' = v / scale (scale 1 when not given or 0);
 *   hue = red (0°) if v' > 0, else blue (0.6 turn = 216°);
 *   hsl(hue, 100%, clamp(floor((1 − |v'|·0.5)·100), 50, 100)%).
 * So 0 is white, |v'| ≥ 1 is the fully saturated colour at 50% lightness.
 */

export const CUI_HUE_POS = 0;
export const CUI_HUE_NEG = 0.6;

/** CUI `colorSaturation(hue, saturation)`: hue in turns, saturation = |v'|. */
export function cuiColorSaturation(hue: number, saturation: number): string {
  return `hsl(${Math.floor(hue * 360)}, 100%, ${Math.max(Math.min(Math.floor((1 - saturation * 0.5) * 100), 100), 50)}%)`;
}

/** CUI `toColor(value, scale)`: the background of one token in "Colored text". */
export function cuiColour(value: number, scale?: number): string {
  const s = scale ? scale : 1; // CUI: `if (!scale) scale = 1`
  const v = value / s;
  return cuiColorSaturation(v > 0 ? CUI_HUE_POS : CUI_HUE_NEG, Math.abs(v));
}

/** The largest |v| over finite values, or 1 when there is none: the scale at which the extremes saturate. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (Number.isFinite(a) && a > m) m = a;
  }
  return m > 0 ? m : 1;
}
