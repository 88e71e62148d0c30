/**
 * The scrub worker: loads the bundle over HTTP, picks the backend (webgpu → webgl → wasm, GPU ones
 * only on real hardware, @isc/core's initBrowserBackend), and runs
 * one job at a time off the page's thread, so the page stays responsive. A cancel message aborts
 * the job between two batches (runScrub checks its AbortSignal after each).
 */
import { httpSource, initBrowserBackend, type BrowserBackendName } from "@isc/core/browser";
import { loadBundleFrom, PRELIMINARY_EXPERIMENTS } from "@isc/scrubbing";
import { ScrubEngine } from "./engine.js";
import { toPlainError } from "./errors.js";
import type { FromWorker, JobResult, ToWorker } from "./protocol.js";

let engine: ScrubEngine | undefined;
const running = new Map<number, AbortController>();

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, { transfer });
}

function transferables(r: JobResult): Transferable[] {
  if (r.kind === "single" && r.attention) return [r.attention.data.buffer as ArrayBuffer];
  if (r.kind === "saa") return [r.values.buffer as ArrayBuffer];
  return [];
}

async function init(msg: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const t0 = performance.now();
  post({ type: "loading", stage: "choosing a TensorFlow.js backend" });
  const backend = await initBrowserBackend({ prefer: (msg.backend || undefined) as BrowserBackendName | undefined, wasmPaths: msg.wasmPaths });
  const source = httpSource(msg.modelUrl, {
    onProgress: (name, loaded, total) => post({ type: "loading", stage: `downloading ${name}`, loaded, total }),
  });
  const bundle = await loadBundleFrom(source, { onStage: (stage) => post({ type: "loading", stage: `reading the ${stage}` }) });
  const label = `${backend.name} (${backend.detail})`;
  engine = new ScrubEngine(bundle, label);
  post({
    type: "ready",
    info: {
      backend,
      model: { name: bundle.card.name, interim: bundle.card.interim === true, cfg: bundle.model.cfg, card: bundle.card },
      dataset: { name: bundle.datasetName, rows: bundle.dataset.rows, width: bundle.dataset.width, sha256: bundle.datasetSha256, meta: bundle.datasetMeta },
      roles: bundle.roles,
      catalogue: engine.entries(),
      preliminary: [...PRELIMINARY_EXPERIMENTS],
      tokenStrings: bundle.tokenStrings,
      loadSeconds: (performance.now() - t0) / 1000,
    },
  });
}

async function run(msg: Extract<ToWorker, { type: "run" }>): Promise<void> {
  if (!engine) throw new Error("the model is not loaded yet");
  const controller = new AbortController();
  running.set(msg.id, controller);
  try {
    let last = 0;
    const result = await engine.run(msg.job, {
      signal: controller.signal,
      onProgress: (label, done, total, step, steps) => {
        // At most ~20 messages a second: more would only keep the page busy.
        const now = performance.now();
        if (done < total && now - last < 50) return;
        last = now;
        post({ type: "progress", id: msg.id, label, done, total, step, steps });
      },
    });
    post({ type: "result", id: msg.id, result }, transferables(result));
  } finally {
    running.delete(msg.id);
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === "cancel") {
    running.get(msg.id)?.abort(Object.assign(new Error("cancelled by the user"), { name: "AbortError" }));
    return;
  }
  const id = msg.type === "run" ? msg.id : null;
  (msg.type === "init" ? init(msg) : run(msg)).catch((e: unknown) => post({ type: "error", id, error: toPlainError(e) }));
};
