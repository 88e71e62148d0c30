/**
 * @isc/train: the trainer of the attention-only models (resumable, bit-exact on resume), the export
 * of a run as a model bundle with its card, the ICL score by row source, and the pieces a benchmark
 * of one training step needs.
 */
export { train, type RunResult } from "./run.js";
export { parseArgs, TRAIN_COMMAND, trainFlags, type TrainFlags } from "./args.js";
export { type CheckpointModel, type HyperParams, loadCheckpointModel, type TrainState } from "./checkpoint.js";
export type { RepeatSpans } from "./repeat-spans.js";
export type { SourceWeights } from "./source-weights.js";
export { exportModel, type ExportOptions, type ExportReport } from "./export-model.js";
export { iclBreakdown, type IclBreakdown, iclBySource, type IclGroup, iclTable } from "./icl-groups.js";
export { Adam, ADAM_DEFAULTS, type AdamConfig } from "./adam.js";
export { clipByGlobalNorm } from "./clip.js";
export { installFastMaxGrad } from "./fast-max-grad.js";
export { lossAndGrads } from "./loss-grads.js";
