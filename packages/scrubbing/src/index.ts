export { tokenFrequencyRanks, uncommonTokens, type TokenArray } from "./token-ranks.js";
export {
  TABLE_MASK_KEYS,
  EXTRA_MASK_KEYS,
  MASK_KEYS,
  TABLE_CATEGORIES,
  DEFAULT_UNCOMMON_RANK,
  RAW_FLAG,
  CategoryMasks,
  stdizeToken,
  tokenClasses,
  repRaw,
  erbRaw,
  fuzzyErbRaw,
  miRaw,
  type TableMaskKey,
  type MaskKey,
  type CategoryInfo,
  type MaskInputs,
} from "./masks.js";
export {
  categoryStats,
  lossTable,
  formatPyFixed,
  formatPyRepr,
  formatStatsLine,
  formatLossTable,
  logsCsvLine,
  LOGS_CSV_LINE_TERMINATOR,
  type CategoryStats,
  type LossTableRow,
  type FormatLossTableOptions,
  type LogsCsvOptions,
} from "./loss-table.js";
export { lossRecovered, formatRecoveredTable, type MeansLike, type FormatRecoveredOptions } from "./recovered.js";
export { saaDiff, meanOverSamples } from "./saa.js";
export { TokenDataset } from "./dataset.js";
export { type Sampler, ExactSampler, UncondSampler, CondSampler, FixedSampler } from "./samplers.js";
export { type Slot, SLOTS, type Hop, type HeadSplit, type Path, pathKey, describePath, enumeratePaths, headParts } from "./paths.js";
export { HypothesisError, type HopPattern, type Matcher, allPaths, chain, through, directEmbed, union, difference } from "./matchers.js";
export { InterpNode, Correspondence, type InputAssignment } from "./hypothesis.js";
export {
  type ModelModification,
  type PatternReplacement,
  type PatternKind,
  patternMatrix,
  replacePattern,
  splitPreviousToken,
  swapHeads,
  flipQK,
  combine,
} from "./model-modifications.js";
export { runScrub, type ScrubOptions, type ScrubResult, type MeanAttention } from "./treeified-runner.js";
export { type HeadRoles, type HeadGroups, REDWOOD_ROLES, HeadRolesError, parseHeadRoles, headGroups } from "./head-roles.js";
export {
  type Experiment,
  type OriginalSplit,
  experimentCatalogue,
  PRELIMINARY_EXPERIMENTS,
  UnknownExperimentError,
  getExperiment,
  closeNames,
} from "./experiments.js";
export { type BundleCard, type SourcedBundle, type LoadBundleOptions, BundleSourceError, loadBundleFrom } from "./bundle-source.js";
export { SEED_CATEGORIES, SEED_TABLES, SEED_SAA_EXAMPLE, SEED_SAA_TABLES, SEED_LATER, seedMeans, seedRecovered } from "./seed-reference.js";
export {
  analyseHeadRoles,
  candidateFlags,
  candidatesMeanLoss,
  scrubCandidatesLoss,
  HEAD_ROLE_PROCEDURE,
  type HeadRoleAnalysis,
  type HeadRoleAnalysisOptions,
} from "./head-role-analysis.js";
