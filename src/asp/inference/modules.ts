/**
 * Inference-only layers that hold a compressed N:M weight and run the sparse kernels of the active
 * backend. They keep the dense layer's attributes and its `bias` parameter (same state-dict key),
 * so a converted model reads like the dense one; the compressed weight itself is not a tensor and
 * so is not in `stateDict()` (use `exportCompressed` to save it).
 */
import type { Conv1d, Conv2d, Conv3d, Linear } from '../../nn/index.js';
import { Module, Parameter } from '../../nn/index.js';
import { type CompressedNM, sparseConv1d, sparseConv2d, sparseConv3d, sparseLinear } from '../../sparse/index.js';
import { type ConvOptions, ShapeError, Tensor } from '../../tensor/index.js';

/** A frozen copy of a bias: inference layers never train, so it does not require grad. */
function frozenBias(bias: Tensor | null): Parameter | null {
  return bias === null ? null : new Parameter(new Tensor(bias.data.slice(), bias.shape), false);
}

/** `Linear` with a compressed weight: y = x·Wᵀ + b through `sparseLinear`. */
export class SparseLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** The compressed [outFeatures, inFeatures] weight (replace it with `setWeight`). */
  weight: CompressedNM;
  readonly bias: Parameter | null;

  constructor(weight: CompressedNM, bias: Tensor | null = null) {
    super();
    if (weight.weightShape !== null && weight.weightShape.length !== 2) {
      throw new ShapeError(
        `SparseLinear: the compressed weight must come from a 2-D [out, in] weight, found [${weight.weightShape.join(', ')}]`,
      );
    }
    this.inFeatures = weight.cols;
    this.outFeatures = weight.rows;
    this.weight = weight;
    this.bias = this.registerParameter('bias', frozenBias(bias));
  }

  /** The dense layer's geometry with a compressed copy of its weight. */
  static fromLinear(layer: Linear, weight: CompressedNM): SparseLinear {
    return new SparseLinear(weight, layer.bias);
  }

  setWeight(weight: CompressedNM): void {
    if (weight.rows !== this.outFeatures || weight.cols !== this.inFeatures) {
      throw new ShapeError(
        `SparseLinear.setWeight: expected a compressed [${this.outFeatures}, ${this.inFeatures}] weight, found [${weight.rows}, ${weight.cols}]`,
      );
    }
    this.weight = weight;
  }

  forward(x: Tensor): Tensor {
    return sparseLinear(x, this.weight, this.bias);
  }
}

type DenseConv = Conv1d | Conv2d | Conv3d;

/** The shared body of SparseConv1d/2d/3d: PyTorch's conv attributes plus the compressed weight. */
export abstract class SparseConvNd extends Module {
  readonly dims: 1 | 2 | 3;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
  /** Compressed through the 2-D mask view of the [out, in/groups, ...kernel] weight. */
  weight: CompressedNM;
  readonly bias: Parameter | null;

  protected constructor(dims: 1 | 2 | 3, layer: DenseConv, weight: CompressedNM) {
    super();
    const ws = weight.weightShape;
    const expected = [layer.outChannels, layer.inChannels / layer.groups, ...layer.kernelSize];
    if (ws === null || ws.length !== expected.length || ws.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `SparseConv${dims}d: the compressed weight must come from compressWeight of the layer's [${expected.join(', ')}] weight, found ${ws === null ? 'a plain matrix' : `[${ws.join(', ')}]`}`,
      );
    }
    this.dims = dims;
    this.inChannels = layer.inChannels;
    this.outChannels = layer.outChannels;
    this.kernelSize = [...layer.kernelSize];
    this.stride = [...layer.stride];
    this.padding = [...layer.padding];
    this.dilation = [...layer.dilation];
    this.groups = layer.groups;
    this.weight = weight;
    this.bias = this.registerParameter('bias', frozenBias(layer.bias));
  }

  /** The dense weight shape [out, in/groups, ...kernel]. */
  get weightShape(): number[] {
    return [this.outChannels, this.inChannels / this.groups, ...this.kernelSize];
  }

  convOptions(): ConvOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  setWeight(weight: CompressedNM): void {
    const ws = weight.weightShape;
    const expected = this.weightShape;
    if (ws === null || ws.length !== expected.length || ws.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `SparseConv${this.dims}d.setWeight: expected a compressed [${expected.join(', ')}] weight, found ${ws === null ? 'a plain matrix' : `[${ws.join(', ')}]`}`,
      );
    }
    this.weight = weight;
  }
}

export class SparseConv1d extends SparseConvNd {
  constructor(layer: Conv1d, weight: CompressedNM) {
    super(1, layer, weight);
  }

  forward(x: Tensor): Tensor {
    return sparseConv1d(x, this.weight, this.bias, this.convOptions());
  }
}

export class SparseConv2d extends SparseConvNd {
  constructor(layer: Conv2d, weight: CompressedNM) {
    super(2, layer, weight);
  }

  forward(x: Tensor): Tensor {
    return sparseConv2d(x, this.weight, this.bias, this.convOptions());
  }
}

export class SparseConv3d extends SparseConvNd {
  constructor(layer: Conv3d, weight: CompressedNM) {
    super(3, layer, weight);
  }

  forward(x: Tensor): Tensor {
    return sparseConv3d(x, this.weight, this.bias, this.convOptions());
  }
}
