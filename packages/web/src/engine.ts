/**
 * The playground's jobs on a loaded bundle, with no browser API: the worker wraps it, and a Node
 * test runs it beside the CLI. A catalogue experiment runs exactly as the CLI's `runExperiment`:
 * `exp.build(root sampler)`, `runScrub` with the same samples, seed and batch size, then the
 * 9-category table from the category masks of the sampled rows, each mean with its standard error,
 * and % loss recovered with the CLI's 95 % interval (`recoveredComparison`).
 */
import {
  categoryStandardErrors,
  ExactSampler,
  experimentCatalogue,
  type Experiment,
  FixedSampler,
  getExperiment,
  lossTable,
  type ModelModification,
  PRELIMINARY_EXPERIMENTS,
  recoveredComparison,
  runScrub,
  type RunLosses,
  type Sampler,
  saaDiff,
  type ScrubResult,
  type SourcedBundle,
} from "@isc/scrubbing";
import { UsageError } from "@isc/core/browser";
import { buildHypothesis } from "./hypothesis-spec.js";
import type { CatalogueEntry, ExperimentOutcome, Job, JobResult, RecoveredOutcome, RunSettings, Target } from "./protocol.js";

export interface JobControl {
  signal?: AbortSignal;
  /** (label of the run under way, rows done, rows in it, run number from 1, runs in the job). */
  onProgress?: (label: string, done: number, total: number, step: number, steps: number) => void;
}

/** A finished run: what the page shows, and the losses a comparison needs. */
interface RunDone {
  outcome: ExperimentOutcome;
  losses: RunLosses;
  result?: ScrubResult;
}

interface Plan {
  label: string;
  target: Target;
  root: Sampler;
  attention: boolean;
}

export class ScrubEngine {
  private readonly catalogue: Map<string, Experiment>;
  /** Outcomes of reference runs (unscrubbed, baseline) by name|samples|seed|root, reused across jobs. */
  private readonly cache = new Map<string, RunDone>();

  constructor(
    readonly bundle: SourcedBundle,
    /** e.g. "wasm (SIMD, 1 thread, own matMul/logsumexp kernels)". */
    readonly backend: string,
  ) {
    this.catalogue = experimentCatalogue(bundle.model.cfg, bundle.roles);
  }

  entries(): CatalogueEntry[] {
    return [...this.catalogue.values()].map((e) => ({ name: e.name, description: e.description, group: e.group }));
  }

  async run(job: Job, control: JobControl = {}): Promise<JobResult> {
    this.checkSettings(job.settings);
    switch (job.kind) {
      case "single": {
        const plans: Plan[] = [
          { label: "unscrubbed", target: { kind: "experiment", name: "unscrubbed" }, root: new ExactSampler(), attention: false },
          { label: "baseline", target: { kind: "experiment", name: "baseline" }, root: new ExactSampler(), attention: false },
          { label: targetName(job.target), target: job.target, root: new ExactSampler(), attention: job.attention },
        ];
        const [unscrubbed, baseline, run] = await this.runAll(plans, job.settings, control);
        return {
          kind: "single",
          target: job.target,
          run: run.outcome,
          unscrubbed: unscrubbed.outcome,
          baseline: baseline.outcome,
          recovered: this.recovered(unscrubbed, baseline, run),
          attention: run.result?.attention ? { heads: run.result.attention.heads, T: run.result.attention.T, data: run.result.attention.data } : undefined,
        };
      }
      case "preliminary": {
        const plans = PRELIMINARY_EXPERIMENTS.map((name): Plan => ({ label: name, target: { kind: "experiment", name }, root: new ExactSampler(), attention: false }));
        const runs = await this.runAll(plans, job.settings, control);
        const [unscrubbed, baseline] = ["unscrubbed", "baseline"].map((n) => runs.find((r) => r.outcome.name === n)!);
        const scored = runs.filter((r) => r !== unscrubbed && r !== baseline);
        return { kind: "preliminary", runs: runs.map((r) => r.outcome), recovered: scored.map((r) => this.recovered(unscrubbed!, baseline!, r)) };
      }
      case "saa": {
        this.bundle.dataset.check(job.idx);
        const root = new FixedSampler(job.idx);
        const plans: Plan[] = [
          { label: `${job.base} on row ${job.idx}`, target: { kind: "experiment", name: job.base }, root, attention: false },
          { label: `${targetName(job.target)} on row ${job.idx}`, target: job.target, root, attention: false },
        ];
        const [base, target] = await this.runAll(plans, job.settings, control);
        const T = this.bundle.dataset.width - 1;
        return {
          kind: "saa",
          target: targetName(job.target),
          base: job.base,
          idx: job.idx,
          samples: job.settings.samples,
          values: saaDiff(base.losses.loss, target.losses.loss, T),
          row: Array.from(this.bundle.dataset.row(job.idx)),
          targetMean: target.outcome.table[0].mean,
          baseMean: base.outcome.table[0].mean,
        };
      }
    }
  }

  /** % recovered of `run` against the references, with its interval; all three ran on the same rows (same samples and seed). */
  private recovered(unscrubbed: RunDone, baseline: RunDone, run: RunDone): RecoveredOutcome {
    const c = recoveredComparison(this.bundle.masks, { unscrubbed: unscrubbed.losses, baseline: baseline.losses, exp: run.losses });
    return { name: run.outcome.name, ...c };
  }

  private checkSettings(s: RunSettings): void {
    for (const [k, v, max] of [["samples", s.samples, 100000], ["batch size", s.batchSize, 512]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`${k} must be an integer from 1 to ${max}, got ${v}`);
    }
    if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 2 ** 31 - 1) throw new UsageError(`seed must be an integer from 0 to 2147483647, got ${s.seed}`);
  }

  private async runAll(plans: Plan[], settings: RunSettings, control: JobControl): Promise<RunDone[]> {
    // Resolve every target first, so a bad name or hypothesis fails before any compute.
    const built = plans.map((p) => ({ plan: p, ...this.build(p.target, p.root) }));
    const out: RunDone[] = [];
    for (let i = 0; i < built.length; i++) {
      const { plan, corr, modification, description } = built[i];
      const key = plan.target.kind === "experiment" && !plan.attention ? `${plan.target.name}|${settings.samples}|${settings.seed}|${settings.batchSize}|${plan.root.name}` : null;
      const hit = key ? this.cache.get(key) : undefined;
      if (hit) {
        control.onProgress?.(plan.label, settings.samples, settings.samples, i + 1, built.length);
        out.push(hit);
        continue;
      }
      const result = await runScrub(this.bundle.model, this.bundle.dataset, corr, {
        samples: settings.samples,
        seed: settings.seed,
        batchSize: settings.batchSize,
        attention: plan.attention ? "pattern" : undefined,
        modification,
        signal: control.signal,
        onProgress: (done, total) => control.onProgress?.(plan.label, done, total, i + 1, built.length),
      });
      const masks = this.bundle.masks.gather(result.refRows);
      const se = categoryStandardErrors(result.loss, masks, result.T);
      const table = lossTable(result.loss, masks).map((r, j) => ({ label: r.label, mean: r.mean, se: se[j]!, variance: r.variance, count: r.count }));
      const outcome: ExperimentOutcome = {
        name: targetName(plan.target),
        description,
        samples: settings.samples,
        seed: settings.seed,
        table,
        seconds: result.seconds,
        backend: this.backend,
      };
      const losses = { loss: result.loss, refRows: result.refRows, T: result.T };
      if (key) this.cache.set(key, { outcome, losses });
      out.push({ outcome, losses, result });
    }
    return out;
  }

  private build(target: Target, root: Sampler): { corr: ReturnType<typeof buildHypothesis>; modification?: ModelModification; description: string } {
    if (target.kind === "experiment") {
      const exp = getExperiment(this.catalogue, target.name);
      return { ...exp.build(root), description: exp.description };
    }
    const corr = buildHypothesis(target.spec, root);
    // Checked against the model now, so an error names the node before anything runs.
    corr.resolve(this.bundle.model.cfg);
    const nodes = target.spec.nodes.map((n) => `"${n.name}"`);
    return { corr, description: `built in the page: node${nodes.length > 1 ? "s" : ""} ${nodes.join(", ")} resample${nodes.length > 1 ? "" : "s"} the paths ${nodes.length > 1 ? "their" : "its"} rules pick` };
  }
}

export function targetName(t: Target): string {
  return t.kind === "experiment" ? t.name : t.name || "my hypothesis";
}
