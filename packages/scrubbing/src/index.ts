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
  logsCsvHeader,
  LOGS_CSV_LINE_TERMINATOR,
  type CategoryStats,
  type LossTableRow,
  type FormatLossTableOptions,
  type LogsCsvOptions,
} from "./loss-table.js";
export { lossRecovered, formatRecoveredTable, type MeansLike, type FormatRecoveredOptions } from "./recovered.js";
export { categoryStandardErrors } from "./row-sums.js";
export { bootstrapRecovered, type BootstrapOptions, type RecoveredInterval, type RecoveredRuns } from "./recovered-interval.js";
export { recoveredComparison, type RecoveredComparison, type RunLosses, type MasksOfRows } from "./recovered-comparison.js";
export { saaDiff, meanOverSamples } from "./saa.js";
export { TokenDataset } from "./dataset.js";
// Every sampler is public: a new one is a class in samplers.ts and nothing else.
export * from "./samplers.js";
export { PoolAnnotation, SamplePools } from "./sample-pools.js";
export { type Slot, SLOTS, type Hop, type HeadSplit, type PathSplit, type SubspacePart, type Window, type Path, pathKey, describePath, enumeratePaths, headParts } from "./paths.js";
export { HypothesisError, type HopPattern, type Matcher, allPaths, chain, through, directEmbed, union, difference, subspacePart } from "./matchers.js";
export {
  type ActivationSite,
  type Basis,
  type SplitActivation,
  type SubspaceSplit,
  SUBSPACE_PARTS,
  activationSite,
  isSubspaceSplit,
  parseSiteKey,
  siteKey,
  splitWithProjection,
  subspaceSplits,
  withBases,
} from "./subspace.js";
export { type ActivationPca, type PcaOptions, activationPcas, pcaBasis } from "./activation-pca.js";
export { type PositionSplit, isPositionSplit, windowMatrix } from "./position-split.js";
export { InterpNode, Correspondence, type InputAssignment } from "./hypothesis.js";
export {
  type ModelModification,
  type PatternReplacement,
  type PatternKind,
  patternMatrix,
  replacePattern,
  splitPreviousToken,
  splitByPosition,
  swapHeads,
  swapHeadWeights,
  flipQK,
  combine,
} from "./model-modifications.js";
export { transposeScores, TRANSPOSED_SCORES } from "./transpose-scores.js";
export { prepareScrub, prepareAssigned, type PrepareOptions, type PreparedScrub } from "./prepare-scrub.js";
export type { ScrubPlan, PlanSummary } from "./scrub-plan.js";
export { evaluate, type EvaluateOptions, type ScrubResult, type MeanAttention } from "./evaluate-scrub.js";
export { runScrub, type ScrubOptions } from "./run-scrub.js";
export { type HeadRoles, type HeadGroups, REDWOOD_ROLES, HeadRolesError, parseHeadRoles, headGroups } from "./head-roles.js";
export {
  type Experiment,
  type OriginalSplit,
  experimentCatalogue,
  PRELIMINARY_EXPERIMENTS,
  UnknownExperimentError,
  getExperiment,
  closeNames,
} from "./experiments/catalogue.js";
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
export { categoryJson, comparisonJson, type Comparison, csvLines, formatComparisonAs, parseComparison, RECOVERED_COLUMNS, STATS_COLUMNS, statsFields, type StatsRow } from "./comparison-format.js";
