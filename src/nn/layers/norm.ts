import {
  ShapeError,
  type Tensor,
  ValueError,
  batchNorm,
  formatShape,
  groupNorm,
  instanceNorm,
  layerNorm,
  ones,
  squeeze,
  unsqueeze,
  zeros,
} from '../../tensor/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';

export interface BatchNormLayerOptions {
  eps?: number;
  /** Running-average factor; null means a cumulative average over `num_batches_tracked`. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

function checkFeatures(layer: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${layer}: numFeatures must be a positive integer, got ${n}`);
}

/**
 * PyTorch's `_BatchNorm`: affine weight/bias, buffers `running_mean`, `running_var`,
 * `num_batches_tracked` (a float32 tensor holding the count). Training normalizes with batch
 * statistics and updates the running ones; eval uses the running ones.
 */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;

  protected constructor(numFeatures: number, opts: BatchNormLayerOptions) {
    super();
    checkFeatures(this.constructor.name, numFeatures);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.registerParameter('weight', this.affine ? ones([numFeatures]) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([numFeatures]) : null);
    const track = this.trackRunningStats;
    this.runningMean = this.registerBuffer('running_mean', track ? zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer('running_var', track ? ones([numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', track ? zeros([]) : null);
  }

  /** Ranks the input may have (checked before the op, so the message names the layer). */
  protected abstract readonly ranks: readonly number[];

  /** Running statistics back to mean 0, variance 1, count 0. */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim)) {
      throw new ShapeError(
        `${this.constructor.name}: expected a ${this.ranks.join('-d or ')}-d input, got shape ${formatShape(x.shape)}`,
      );
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked !== null) {
      this.numBatchesTracked.data[0]! += 1;
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.data[0]!;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.runningMean : null, track ? this.runningVar : null, this.weight, this.bias, {
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }
}

/** Batch norm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
}

/** Batch norm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
}

/** Batch norm over [N, C, D, H, W]. */
export class BatchNorm3d extends BatchNormBase {
  protected readonly ranks = [5];
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
}

/** Normalizes over the trailing `normalizedShape` dims; weight ones, bias zeros of that shape. */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const affine = this.elementwiseAffine;
    this.weight = this.registerParameter('weight', affine ? ones(this.normalizedShape) : null);
    this.bias = this.registerParameter('bias', affine && opts.bias !== false ? zeros(this.normalizedShape) : null);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

/** Normalizes each of `numGroups` channel groups per sample; per-channel affine. */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new ValueError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.registerParameter('weight', this.affine ? ones([numChannels]) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([numChannels]) : null);
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

export interface InstanceNormLayerOptions {
  eps?: number;
  momentum?: number;
  /** Default false, as PyTorch's InstanceNorm. */
  affine?: boolean;
  /** Default false, as PyTorch's InstanceNorm. */
  trackRunningStats?: boolean;
}

/** Normalizes each (sample, channel) plane of [N, C, H, W] (or unbatched [C, H, W]). */
export class InstanceNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, opts: InstanceNormLayerOptions = {}) {
    super();
    checkFeatures('InstanceNorm2d', numFeatures);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    this.weight = this.registerParameter('weight', this.affine ? ones([numFeatures]) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([numFeatures]) : null);
    const track = this.trackRunningStats;
    this.runningMean = this.registerBuffer('running_mean', track ? zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer('running_var', track ? ones([numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', track ? zeros([]) : null);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) {
      throw new ShapeError(`InstanceNorm2d: expected a 3-d or 4-d input, got shape ${formatShape(x.shape)}`);
    }
    const batched = x.ndim === 4 ? x : unsqueeze(x, 0);
    const y = instanceNorm(batched, this.runningMean, this.runningVar, this.weight, this.bias, {
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
    return x.ndim === 4 ? y : squeeze(y, 0);
  }
}
