/**
 * The page's backend selector: "automatic" (the picker's choice: a GPU backend only on real
 * hardware, else wasm) or one backend forced, as `?backend=` does. A backend the browser cannot run
 * is listed but disabled, with the reason; a software-rendered one is offered, marked slow.
 */
import type { BackendOffer } from "@isc/core/browser";
import { h } from "./dom.js";

const LABEL: Record<string, string> = { webgpu: "WebGPU", webgl: "WebGL", wasm: "wasm (WebAssembly, CPU)", cpu: "cpu (pure JavaScript)" };

/** The options for `offers`, with `current` ("" for automatic) selected. */
export function backendOptions(offers: readonly BackendOffer[], current: string, inUse?: string): HTMLOptionElement[] {
  const auto = h("option", { value: "", text: current || !inUse ? "automatic" : `automatic (here: ${inUse})` });
  const named = offers.map((o) => {
    const note = o.unavailable ? ` — unavailable: ${o.unavailable}` : o.software ? ` — software-rendered (${o.software}): slow` : "";
    return h("option", { value: o.name, text: `${LABEL[o.name] ?? o.name}${note}`, disabled: o.unavailable !== undefined && o.name !== current, title: o.device ?? "" });
  });
  // ?backend=cpu is not offered in the list, but a page started with it still shows it.
  const extra = current && !offers.some((o) => o.name === current) ? [h("option", { value: current, text: LABEL[current] ?? current })] : [];
  const all = [auto, ...named, ...extra];
  for (const opt of all) opt.selected = opt.value === current;
  return all;
}
