/**
 * The playground page: starts the scrub worker, fills the controls from the loaded bundle (catalogue,
 * head roles, the builder), sends one job at a time, shows its progress with a Cancel button, and
 * renders the results. State the end-to-end test waits on is in attributes: `#status[data-state]`
 * ("loading", "ready", "failed") and `body[data-job]` ("idle", "running", "done", "failed", "cancelled").
 *
 * Query parameters: `backend` (webgpu, webgl, wasm or cpu: force one; the selector sets it too),
 * `model` (the bundle's base URL, default "model/"), `samples`, `seed`, `batch`, `exp` (preselect an
 * experiment).
 */
import Plotly from "plotly.js-cartesian-dist-min";
import wasmPlain from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { inspectBrowserBackends } from "@isc/core/browser";
import { experimentCatalogue, getExperiment } from "@isc/scrubbing";
import { backendOptions } from "./backend-select.js";
import { Builder } from "./builder.js";
import { $, checkboxes, intInput, select } from "./dom.js";
import { explainError, type PlainError } from "./errors.js";
import { type ExportableResult, exportCsv, exportJson, exportName } from "./export.js";
import { defaultSpec, pathOwners } from "./hypothesis-spec.js";
import { pathDiagramSvg } from "./path-diagram.js";
import type { FromWorker, Job, JobResult, ReadyInfo, RunSettings, SingleResult, Target, ToWorker } from "./protocol.js";
import { heatmapFigure, preliminaryHtml, saaHtml, singleHtml } from "./results.js";

const params = new URLSearchParams(location.search);
const WASM_PATHS = {
  "tfjs-backend-wasm.wasm": new URL(wasmPlain, location.href).href,
  "tfjs-backend-wasm-simd.wasm": new URL(wasmSimd, location.href).href,
  "tfjs-backend-wasm-threaded-simd.wasm": new URL(wasmThreaded, location.href).href,
};

let worker: Worker;
let info: ReadyInfo | undefined;
let builder: Builder | undefined;
let builderValid = true;
let nextId = 1;
let current: { id: number; job: Job; cancelTimer?: number } | undefined;
let lastAttention: SingleResult["attention"];
let lastAttentionTitle = "";
let shownHeads: string[] = [];
/** The loss tables on show, for the export buttons. */
let lastTables: ExportableResult | undefined;
/** What this browser offers for each backend, found once (the page and its worker share the GPU). */
const offers = inspectBrowserBackends().catch(() => []);

for (const [param, id] of [["samples", "samples"], ["seed", "seed"], ["batch", "batch"]] as const) {
  const v = params.get(param);
  if (v !== null) ($(id) as HTMLInputElement).value = v;
}
document.body.dataset.job = "idle";

function startWorker(): void {
  worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => onMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    fail({ name: "Error", message: `the scrub worker could not start: ${ev.message || "script error"}` }, true);
  };
  const init: ToWorker = {
    type: "init",
    // Absolute: the worker would resolve a relative URL against its own (assets/) URL.
    modelUrl: new URL(params.get("model") ?? "model/", location.href).href,
    backend: params.get("backend") || undefined,
    wasmPaths: WASM_PATHS,
  };
  worker.postMessage(init);
}

function setStatus(state: "loading" | "ready" | "failed", html: string): void {
  const s = $("status");
  s.dataset.state = state;
  s.innerHTML = html;
}

function onMessage(msg: FromWorker): void {
  switch (msg.type) {
    case "loading": {
      setStatus("loading", `Loading: ${msg.stage}${msg.total ? ` (${(msg.loaded! / 1e6).toFixed(1)} of ${(msg.total / 1e6).toFixed(1)} MB)` : ""}…`);
      ($("load-progress").firstElementChild as HTMLElement).style.width = msg.total ? `${(100 * msg.loaded!) / msg.total}%` : "0";
      return;
    }
    case "ready":
      ($("load-progress").firstElementChild as HTMLElement).style.width = "0";
      return ready(msg.info);
    case "progress": {
      if (current?.id !== msg.id) return;
      $("job-label").textContent = `${msg.steps > 1 ? `run ${msg.step} of ${msg.steps}: ` : ""}${msg.label}: ${msg.done} of ${msg.total} rows`;
      const bar = $("job-progress") as HTMLProgressElement;
      bar.value = (msg.step - 1 + msg.done / msg.total) / msg.steps;
      return;
    }
    case "result":
      if (current?.id !== msg.id) return;
      finishJob("done");
      return show(msg.result);
    case "error": {
      if (msg.id !== null && current?.id !== msg.id) return;
      if (msg.id !== null) finishJob(msg.error.name === "AbortError" ? "cancelled" : "failed");
      if (msg.error.name === "AbortError") return;
      fail(msg.error, msg.id === null);
      // After running out of memory the backend's heap may be left inconsistent: start a fresh engine.
      if (msg.id !== null && explainError(msg.error).kind === "memory") restartWorker("Restarting the engine after running out of memory…");
      return;
    }
  }
}

function restartWorker(why: string): void {
  worker.terminate();
  info = undefined;
  updateButtons();
  setStatus("loading", why);
  startWorker();
}

function ready(i: ReadyInfo): void {
  info = i;
  const slice = i.dataset.meta.slice_of as { rows?: number } | undefined;
  const skipped = i.backend.skipped.length ? ` <span class="muted" title="${i.backend.skipped.join("\n").replace(/"/g, "&quot;")}">(skipped: ${i.backend.skipped.map((s) => s.split(":")[0]).join(", ")})</span>` : "";
  setStatus(
    "ready",
    `Ready in ${i.loadSeconds.toFixed(1)} s. Backend <b id="backend-name">${i.backend.name}</b> (${i.backend.detail})${skipped} · model <b>${i.model.name}</b> ` +
      `(${i.model.cfg.n_layers} layers × ${i.model.cfg.n_heads} heads, vocab ${i.model.cfg.d_vocab})` +
      (i.model.interim ? ` <span class="warn">INTERIM: partly trained, results are not final</span>` : "") +
      ` · data <b>${i.dataset.name}</b>: ${i.dataset.rows} rows × ${i.dataset.width} tokens${slice?.rows ? ` (the first ${i.dataset.rows} of ${slice.rows})` : ""}`,
  );
  const footer = $("footer-info");
  void showBackend(i.backend);
  footer.textContent = ` The same run in Node: pnpm scrub run --exp NAME --samples N --seed S --data packages/web/site/model/${i.dataset.name}`;
  for (const id of ["settings", "catalogue-panel", "builder-panel", "saa-panel"]) ($(id) as HTMLFieldSetElement).disabled = false;

  // The catalogue, grouped as `scrub list` groups it.
  // After a restart the choice stays; on first load ?exp= or ev.
  const pre = (document.getElementById("exp-select") as HTMLSelectElement | null)?.value ?? params.get("exp") ?? "ev";
  const expSelect = select(
    i.catalogue.map((e) => ({ value: e.name, label: e.name, group: e.group })),
    i.catalogue.some((e) => e.name === pre) ? pre : i.catalogue[0].name,
    () => describeExperiment(),
    { id: "exp-select", "aria-label": "experiment" },
  );
  $("exp-select-slot").replaceChildren(expSelect);
  describeExperiment();

  const r = i.roles;
  const highlight = [`${r.previousTokenHead.layer}.${r.previousTokenHead.head}`, ...r.inductionHeads.heads.map((x) => `${r.inductionHeads.layer}.${x}`)];
  // A restarted engine keeps the hypothesis being built.
  builder ??= new Builder(i.model.cfg, $("builder"), $("builder-diagram"), $("builder-status"), defaultSpec(r.inductionHeads.layer, r.inductionHeads.heads), highlight, (ok) => {
    builderValid = ok;
    updateButtons();
  });
  if (shownHeads.length === 0) shownHeads = highlight.map((x) => `a${x}`);
  updateButtons();
}

/** The selector's options, and the notice when the automatic choice passed over a slow GPU backend. */
async function showBackend(inUse?: ReadyInfo["backend"]): Promise<void> {
  ($("backend-select") as HTMLSelectElement).replaceChildren(...backendOptions(await offers, params.get("backend") ?? "", inUse?.name));
  const notice = $("backend-notice");
  notice.hidden = !inUse?.notice;
  notice.textContent = inUse?.notice ?? "";
}

/** A new engine on the chosen backend (a worker picks its backend once); the URL keeps the choice. */
function switchBackend(): void {
  const choice = ($("backend-select") as HTMLSelectElement).value;
  if (choice) params.set("backend", choice);
  else params.delete("backend");
  history.replaceState(null, "", `${location.pathname}?${params}`);
  restartWorker(`Starting the engine on ${choice || "the automatic backend"}…`);
}

function describeExperiment(): void {
  if (!info) return;
  const name = ($("exp-select") as HTMLSelectElement).value;
  const e = info.catalogue.find((x) => x.name === name);
  $("exp-desc").textContent = e ? e.description : "";
  try {
    const exp = getExperiment(experimentCatalogue(info.model.cfg, info.roles), name);
    const { corr, modification } = exp.build();
    const o = pathOwners(corr, info.model.cfg, modification?.splits ?? []);
    $("exp-diagram").innerHTML =
      pathDiagramSvg(info.model.cfg, o.paths, o.owner, { nodes: o.nodes, samplers: o.samplers }) +
      (modification ? `<p class="muted">This experiment also changes the model (e.g. a replaced pattern or swapped heads), which the diagram does not show.</p>` : "");
  } catch (err) {
    $("exp-diagram").textContent = `(no diagram: ${(err as Error).message})`;
  }
}

function settings(): RunSettings {
  return { samples: intInput("samples"), seed: intInput("seed"), batchSize: intInput("batch") };
}

function updateButtons(): void {
  const busy = current !== undefined || !info;
  for (const id of ["run-exp", "run-prelim", "run-saa", "backend-select"]) ($(id) as HTMLButtonElement).disabled = busy;
  ($("run-hyp") as HTMLButtonElement).disabled = busy || !builderValid;
}

function hypothesisTarget(): Target {
  return { kind: "hypothesis", name: "my hypothesis", spec: builder!.value() };
}

function run(job: Job, label: string): void {
  if (current || !info) return;
  hideError();
  current = { id: nextId++, job };
  document.body.dataset.job = "running";
  $("job").hidden = false;
  $("job-label").textContent = `${label}: starting…`;
  ($("job-progress") as HTMLProgressElement).value = 0;
  ($("cancel") as HTMLButtonElement).disabled = false;
  updateButtons();
  worker.postMessage({ type: "run", id: current.id, job } satisfies ToWorker);
}

function finishJob(state: "done" | "failed" | "cancelled"): void {
  if (current?.cancelTimer) clearTimeout(current.cancelTimer);
  current = undefined;
  document.body.dataset.job = state;
  $("job").hidden = true;
  updateButtons();
}

function cancel(): void {
  if (!current) return;
  const c = current;
  worker.postMessage({ type: "cancel", id: c.id } satisfies ToWorker);
  $("job-label").textContent = "Cancelling after the current batch…";
  ($("cancel") as HTMLButtonElement).disabled = true;
  // A batch normally takes well under a second; if the worker does not answer, stop it outright and reload the model.
  c.cancelTimer = window.setTimeout(() => {
    if (current?.id !== c.id) return;
    finishJob("cancelled");
    restartWorker("Restarting the engine after a cancel…");
  }, 15000);
}

function show(r: JobResult): void {
  if (r.kind === "saa") {
    $("saa-out").innerHTML = saaHtml(r, info!.tokenStrings);
    return;
  }
  lastTables = r;
  $("export").hidden = false;
  $("table-out").innerHTML = r.kind === "single" ? singleHtml(r) : preliminaryHtml(r);
  // The heatmap belongs to the table above it: a run without attention (the preliminary set, or the
  // box unticked) hides the last one rather than leave it under another run's table.
  lastAttention = r.kind === "single" ? r.attention : undefined;
  lastAttentionTitle = r.kind === "single" ? `Mean attention of ${r.run.name} over ${r.run.samples} rows` : "";
  drawAttention();
}

function download(text: string, type: string, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  // After the click has started the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function exportResults(format: "json" | "csv"): void {
  if (!lastTables || !info) return;
  if (format === "json") download(exportJson(lastTables, info), "application/json", exportName(lastTables, "json"));
  else download(exportCsv(lastTables), "text/csv", exportName(lastTables, "csv"));
}

function drawAttention(): void {
  const box = $("attn-box");
  if (!lastAttention) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const a = lastAttention;
  $("attn-heads").replaceChildren(
    checkboxes(a.heads, shownHeads, (x) => x.slice(1), (sel) => {
      shownHeads = sel;
      drawAttention();
    }, "attn-heads"),
  );
  const start = Math.max(0, intInput("attn-start"));
  const end = Math.min(a.T, Math.max(start + 1, intInput("attn-end")));
  const plot = $("attn-plot");
  try {
    const fig = heatmapFigure(a, shownHeads, start, end, lastAttentionTitle, plot.clientWidth || 1060);
    void Plotly.react(plot, fig.data, fig.layout, fig.config);
  } catch (e) {
    Plotly.purge(plot);
    plot.textContent = (e as Error).message;
  }
}

function fail(e: PlainError, fatal: boolean): void {
  const ex = explainError(e);
  const box = $("error");
  box.hidden = false;
  box.dataset.kind = ex.kind;
  (box.querySelector(".title") as HTMLElement).textContent = ex.title;
  (box.querySelector(".detail") as HTMLElement).textContent = ex.detail;
  (box.querySelector(".hint") as HTMLElement).textContent = ex.hint;
  if (fatal) {
    setStatus("failed", `Could not start: ${ex.title.toLowerCase()}.`);
    // Another backend may work: the selector stays usable when this one could not start.
    void showBackend().then(() => (($("backend-select") as HTMLSelectElement).disabled = false));
  }
}

function hideError(): void {
  $("error").hidden = true;
}

$("run-exp").addEventListener("click", () => {
  const name = ($("exp-select") as HTMLSelectElement).value;
  run({ kind: "single", target: { kind: "experiment", name }, settings: settings(), attention: ($("attention") as HTMLInputElement).checked }, name);
});
$("run-prelim").addEventListener("click", () => run({ kind: "preliminary", settings: settings() }, "preliminary experiments"));
$("run-hyp").addEventListener("click", () =>
  run({ kind: "single", target: hypothesisTarget(), settings: settings(), attention: ($("attention") as HTMLInputElement).checked }, "my hypothesis"),
);
$("run-saa").addEventListener("click", () => {
  const target: Target = ($("saa-target") as HTMLSelectElement).value === "hyp" ? hypothesisTarget() : { kind: "experiment", name: ($("exp-select") as HTMLSelectElement).value };
  run({ kind: "saa", target, base: "unscrubbed", idx: intInput("saa-idx"), settings: { ...settings(), samples: intInput("saa-samples") } }, "SAA");
});
$("cancel").addEventListener("click", cancel);
$("backend-select").addEventListener("change", switchBackend);
$("export-json").addEventListener("click", () => exportResults("json"));
$("export-csv").addEventListener("click", () => exportResults("csv"));
$("attn-start").addEventListener("change", drawAttention);
$("attn-end").addEventListener("change", drawAttention);
($("error").querySelector(".dismiss") as HTMLElement).addEventListener("click", hideError);

startWorker();
