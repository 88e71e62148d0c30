/**
 * @isc/train: the trainer of the attention-only models (resumable, bit-exact on resume), its
 * checkpoints, and the pieces a benchmark of one training step needs.
 */
export { train, type RunResult } from "./run.js";
export { parseArgs, TRAIN_COMMAND, trainFlags, type TrainFlags } from "./args.js";
export { CONFIGS } from "./options.js";
export { type Checkpoint, type HyperParams, loadCheckpoint, type TrainState } from "./checkpoint.js";
export { describeSpans, type RepeatKind, type RepeatSpans } from "./repeat-spans.js";
export { describeWeights, type SourceWeights } from "./source-weights.js";
export { iclBreakdown, type IclBreakdown, type IclGroup, iclTable } from "./icl-groups.js";
export { Adam, ADAM_DEFAULTS, type AdamConfig } from "./adam.js";
export { clipByGlobalNorm } from "./clip.js";
export { installFastMaxGrad, restoreMaxGrad } from "./fast-max-grad.js";
export { lossAndGrads } from "./loss-grads.js";
