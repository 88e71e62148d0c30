/**
 * A model bundle (config.json, model.safetensors, tokenizer.json, card.json, eval.u16 + eval.json,
 * induction-candidates.json, optional token-ranks.json) read through a `BundleSource`, so the browser
 * playground assembles exactly what the CLI's `loadBundle` does: the same checks, the same category
 * masks from the same token ranks, hence the same loss tables for the same seed.
 */
import { FormatError } from "@isc/core";
import {
  type BundleSource,
  decodeTokenDataset,
  type HookedTransformer,
  loadModelFrom,
  parseTokenDatasetMeta,
  parseTokenizerSpec,
  sidecarPath,
  type Tokenizer,
  tokenizerFromSpec,
} from "@isc/core";
import { TokenDataset } from "./dataset.js";
import { type HeadRoles, parseHeadRoles } from "./head-roles.js";
import { CategoryMasks } from "./masks.js";
import { tokenFrequencyRanks } from "./token-ranks.js";

export interface BundleCard {
  name: string;
  /** True while the default model is still training: results are from a partly trained model. */
  interim?: boolean;
  roles: unknown;
  [extra: string]: unknown;
}

export interface SourcedBundle {
  source: BundleSource;
  card: BundleCard;
  model: HookedTransformer;
  tokenizer: Tokenizer;
  roles: HeadRoles;
  dataset: TokenDataset;
  /** The dataset file's name in the source, e.g. "eval.u16". */
  datasetName: string;
  datasetSha256: string;
  /** The provenance the dataset's sidecar carries (e.g. `slice_of` for a playground slice). */
  datasetMeta: Record<string, unknown>;
  masks: CategoryMasks;
  tokenStrings: string[];
}

export class BundleSourceError extends FormatError {
  override name = "BundleSourceError";
}

export interface LoadBundleOptions {
  /** The evaluation rows' file name in the source (default "eval.u16"). */
  data?: string;
  /** Called before each step, for a progress line ("weights", "dataset", "masks", ...). */
  onStage?: (stage: string) => void;
}

async function readJson(src: BundleSource, name: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await src.readText(name);
  } catch (e) {
    throw new BundleSourceError(`missing ${what}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BundleSourceError(`${src.describe(name)} is not valid JSON: ${(e as Error).message}`);
  }
}

export async function loadBundleFrom(src: BundleSource, options: LoadBundleOptions = {}): Promise<SourcedBundle> {
  const stage = options.onStage ?? (() => {});
  stage("model card");
  const card = (await readJson(src, "card.json", "model card")) as BundleCard;
  stage("weights");
  const model = await loadModelFrom(src);
  const cfg = model.cfg;
  try {
    const roles = parseHeadRoles(card.roles, cfg);
    stage("tokenizer");
    const tokenizer = tokenizerFromSpec(parseTokenizerSpec(await src.readText("tokenizer.json")));
    if (tokenizer.vocabSize > cfg.d_vocab) throw new BundleSourceError(`tokenizer has ${tokenizer.vocabSize} ids but the model only ${cfg.d_vocab}`);
    stage("dataset");
    const datasetName = options.data ?? "eval.u16";
    const metaName = datasetName.endsWith(".json") ? datasetName : sidecarPath(datasetName);
    const meta = parseTokenDatasetMeta(await src.readText(metaName), src.describe(metaName));
    const file = decodeTokenDataset(meta, await src.readBytes(datasetName), src.describe(datasetName));
    if (file.meta.vocab > cfg.d_vocab) throw new BundleSourceError(`${datasetName} has vocab ${file.meta.vocab} > the model's ${cfg.d_vocab}`);
    if (file.width > cfg.n_ctx + 1) throw new BundleSourceError(`${datasetName} rows have ${file.width} tokens; the model takes at most ${cfg.n_ctx + 1}`);
    const dataset = new TokenDataset(file.tokens, file.width, datasetName.split("/").pop());
    const cand = (await readJson(src, "induction-candidates.json", "induction-candidate list")) as { ids?: unknown };
    if (!Array.isArray(cand.ids) || !cand.ids.every((i) => Number.isInteger(i) && i >= 0 && i < cfg.d_vocab)) {
      throw new BundleSourceError(`${src.describe("induction-candidates.json")}: "ids" must be a list of token ids below ${cfg.d_vocab}`);
    }
    const candidates = new Uint8Array(cfg.d_vocab);
    for (const i of cand.ids as number[]) candidates[i] = 1;
    stage("masks");
    const tokenStrings = tokenizer.tokenStrings();
    while (tokenStrings.length < cfg.d_vocab) tokenStrings.push("");
    const masks = CategoryMasks.compute({
      tokens: file.tokens,
      width: file.width,
      candidates,
      ranks: await ranksFor(src, file.meta.sha256, file.tokens, cfg.d_vocab),
      tokenStrings,
    });
    return { source: src, card, model, tokenizer, roles, dataset, datasetName, datasetSha256: file.meta.sha256, datasetMeta: file.meta, masks, tokenStrings };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The bundle's token-ranks.json when it was made from this very dataset, else computed now, as the CLI does. */
async function ranksFor(src: BundleSource, sha256: string, tokens: Uint16Array | Uint32Array, vocab: number): Promise<Uint32Array> {
  if (await src.exists("token-ranks.json")) {
    const r = (await readJson(src, "token-ranks.json", "token ranks")) as { dataset_sha256?: string; ranks?: number[] };
    if (r.dataset_sha256 === sha256 && Array.isArray(r.ranks) && r.ranks.length === vocab) return Uint32Array.from(r.ranks);
  }
  return tokenFrequencyRanks(tokens, vocab);
}

