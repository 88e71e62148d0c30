/**
 * The hypothesis builder: nodes under the root, each with a sampler and rules choosing paths, and the
 * treeified model's paths drawn below with the ones each node resamples in its colour. Every edit
 * re-checks the hypothesis against the model (scrubbing's Correspondence.resolve), so a bad one is
 * named before it is sent to the worker.
 */
import type { ModelConfig } from "@isc/core/browser";
import type { Slot } from "@isc/scrubbing";
import _ from "lodash";
import { checkboxes, h, select } from "./dom.js";
import { explainError, toPlainError } from "./errors.js";
import { buildHypothesis, describeRule, type HopSpec, type HypothesisSpec, pathOwners, type RuleSpec, SAMPLER_LABELS, type SamplerSpec } from "./hypothesis-spec.js";
import { NODE_COLOURS, pathDiagramSvg } from "./path-diagram.js";

const SLOTS: Slot[] = ["q", "k", "v"];

export class Builder {
  private spec: HypothesisSpec;

  constructor(
    private readonly cfg: ModelConfig,
    private readonly root: HTMLElement,
    private readonly diagram: HTMLElement,
    private readonly status: HTMLElement,
    initial: HypothesisSpec,
    private readonly highlight: string[],
    /** Called after each edit with whether the hypothesis is valid. */
    private readonly onValid: (ok: boolean) => void,
  ) {
    this.spec = structuredClone(initial);
    this.render();
  }

  value(): HypothesisSpec {
    return structuredClone(this.spec);
  }

  set(spec: HypothesisSpec): void {
    this.spec = structuredClone(spec);
    this.render();
  }

  private changed(): void {
    this.render();
  }

  private render(): void {
    const nodes = this.spec.nodes.map((_, i) => this.nodeEditor(i));
    const add = h("button", { type: "button", class: "small", id: "add-node", text: "+ node (its own resampled row)" });
    add.addEventListener("click", () => {
      this.spec.nodes.push({ name: `node ${this.spec.nodes.length + 1}`, sampler: "uncond", rules: [{ kind: "direct" }] });
      this.changed();
    });
    this.root.replaceChildren(...nodes, add);
    this.draw();
  }

  private draw(): void {
    try {
      const owners = pathOwners(buildHypothesis(this.spec), this.cfg);
      this.diagram.innerHTML = pathDiagramSvg(this.cfg, owners.paths, owners.owner, { nodes: owners.nodes, samplers: owners.samplers, highlight: this.highlight });
      this.status.className = "builder-status ok";
      this.status.textContent = `Valid: ${owners.owner.reduce((a, o) => a + (o >= 0 ? 1 : 0), 0)} of ${owners.paths.length} paths are resampled.`;
      this.onValid(true);
    } catch (e) {
      const ex = explainError(toPlainError(e));
      this.status.className = "builder-status bad";
      this.status.textContent = `${ex.title}: ${ex.detail}`;
      this.onValid(false);
    }
  }

  private nodeEditor(i: number): HTMLElement {
    const node = this.spec.nodes[i];
    const name = h("input", { type: "text", value: node.name, size: 12, "aria-label": "node name" }) as HTMLInputElement;
    name.addEventListener("change", () => {
      node.name = name.value.trim() || `node ${i + 1}`;
      this.changed();
    });
    const sampler = select(
      (Object.keys(SAMPLER_LABELS) as SamplerSpec[]).map((s) => ({ value: s, label: SAMPLER_LABELS[s] })),
      node.sampler,
      (v) => {
        node.sampler = v as SamplerSpec;
        this.changed();
      },
      { class: "sampler", "aria-label": "sampler" },
    );
    const remove = h("button", { type: "button", class: "small", text: "remove node" });
    remove.addEventListener("click", () => {
      this.spec.nodes.splice(i, 1);
      this.changed();
    });
    const addRule = h("button", { type: "button", class: "small", text: "+ rule (same resampled row)" });
    addRule.addEventListener("click", () => {
      node.rules.push({ kind: "into", hop: { layer: this.cfg.n_layers - 1, heads: [0], slots: ["q"] }, from: "any" });
      this.changed();
    });
    const rules = node.rules.map((_, j) => this.ruleEditor(node.rules, j));
    const swatch = h("span", { class: "swatch", style: `background:${NODE_COLOURS[i % NODE_COLOURS.length]}` });
    return h("div", { class: "node", "data-node": i }, h("div", { class: "node-head" }, swatch, name, sampler, remove), ...rules, addRule);
  }

  private ruleEditor(rules: RuleSpec[], j: number): HTMLElement {
    const rule = rules[j];
    const L = this.cfg.n_layers;
    const kind = select(
      [
        { value: "into", label: "paths into" },
        { value: "through", label: "paths through" },
        { value: "direct", label: "embed → logits" },
      ],
      rule.kind,
      (v) => {
        const hop: HopSpec = rule.kind === "direct" ? { layer: L - 1, heads: [0], slots: ["v"] } : rule.hop;
        rules[j] = v === "direct" ? { kind: "direct" } : v === "through" ? { kind: "through", hop } : { kind: "into", hop, from: "any" };
        this.changed();
      },
      { class: "rule-kind", "aria-label": "rule kind" },
    );
    const remove = h("button", { type: "button", class: "small", title: "remove this rule", text: "×" });
    remove.addEventListener("click", () => {
      rules.splice(j, 1);
      this.changed();
    });
    const parts: (Node | string)[] = [kind];
    if (rule.kind !== "direct") {
      parts.push(...this.hopEditor(rule.hop, 0, L));
      if (rule.kind === "into") {
        const fromOptions = [
          { value: "any", label: "fed by anything" },
          { value: "embed", label: "fed by the embedding directly" },
          ..._.range(rule.hop.layer).map((l) => ({ value: String(l), label: `fed by layer ${l} heads` })),
        ];
        const fromValue = typeof rule.from === "string" ? rule.from : String(rule.from.layer);
        parts.push(
          h("br"),
          select(
            fromOptions,
            fromValue,
            (v) => {
              rule.from = v === "any" || v === "embed" ? v : { layer: Number(v), heads: _.range(this.cfg.n_heads), slots: [...SLOTS] };
              this.changed();
            },
            { class: "rule-from", "aria-label": "fed by" },
          ),
        );
        if (typeof rule.from !== "string") parts.push(...this.hopEditor(rule.from, 0, rule.hop.layer));
      }
    }
    return h("div", { class: "rule", "data-rule": j, title: describeRule(rule) }, ...parts, remove);
  }

  /** Layer (in [minLayer, maxLayer)), heads and slots of one hop. */
  private hopEditor(hop: HopSpec, minLayer: number, maxLayer: number): (Node | string)[] {
    const layer = select(
      _.range(minLayer, maxLayer).map((l) => ({ value: String(l), label: `layer ${l}` })),
      String(hop.layer),
      (v) => {
        hop.layer = Number(v);
        this.changed();
      },
      { class: "hop-layer", "aria-label": "layer" },
    );
    const heads = checkboxes(
      _.range(this.cfg.n_heads),
      hop.heads,
      (x) => String(x),
      (sel) => {
        hop.heads = sel;
        this.changed();
      },
      "heads",
    );
    const slots = checkboxes(
      SLOTS,
      hop.slots,
      (s) => s.toUpperCase(),
      (sel) => {
        hop.slots = sel;
        this.changed();
      },
      "slots",
    );
    return [layer, " heads ", heads, " via ", slots];
  }
}
