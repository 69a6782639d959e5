/**
 * The typed op list: every op name a tensor can record (`Tensor.fromOp`), each with the attributes
 * it records. One list for every pass that reads a recorded graph: autograd names ops from it, the
 * permutation rules switch over it exhaustively (a new or renamed op fails to compile until the
 * rules say how it carries channels), and an exporter can describe each op from its attributes.
 *
 * The groups below are the core ops of src/tensor. Layers above add their own ops by declaration
 * merging, as they add kernel families to `KernelSet`:
 * `declare module '.../tensor/op_list.js' { interface OpAttrs { sparseLinear: SparseLinearAttrs } }`
 * (src/sparse/ops/op_list.ts, src/asp/qat/fake_quant.ts).
 *
 * Axes in attributes are normalized (non-negative) unless a field says otherwise.
 */
import type { Tensor } from './tensor.js';

/** The attributes of an op that records none. */
export type NoAttrs = Record<string, never>;

export type Reduction = 'mean' | 'sum' | 'none';

/** Element-wise ops of one input (their output has the input's shape). */
export interface UnaryOpAttrs {
  neg: NoAttrs;
  sqrt: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  abs: NoAttrs;
  relu: NoAttrs;
  relu6: NoAttrs;
  sigmoid: NoAttrs;
  tanh: NoAttrs;
  silu: NoAttrs;
  hardswish: NoAttrs;
  gelu: { approximate: 'none' | 'tanh' };
  leakyRelu: { negativeSlope: number };
  /** Bounds are ±Infinity where the call gave none. */
  clamp: { min: number; max: number };
}

/** Element-wise ops of two inputs with NumPy broadcasting. */
export interface BinaryOpAttrs {
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  pow: NoAttrs;
}

/** Broadcast comparisons giving a 0/1 mask, and `where(cond, a, b)`. */
export interface CompareOpAttrs {
  eq: NoAttrs;
  ne: NoAttrs;
  lt: NoAttrs;
  le: NoAttrs;
  gt: NoAttrs;
  ge: NoAttrs;
  where: NoAttrs;
}

/** Reductions. `dim` lists the reduced axes (all of them when the call named none). */
export interface ReduceOpAttrs {
  sum: { dim: number[]; keepdim: boolean };
  mean: { dim: number[]; keepdim: boolean };
  var: { dim: number[]; keepdim: boolean; correction: number };
  /** `dim` null: over the whole tensor. `dim` is as the call gave it (may be negative). */
  max: { dim: number | null; keepdim: boolean };
  min: { dim: number | null; keepdim: boolean };
  argmax: { dim: number | null; keepdim: boolean };
  argmin: { dim: number | null; keepdim: boolean };
}

/** Ops that move values without changing them. */
export interface ShapeOpAttrs {
  /** `shape`: the output shape (any -1 resolved). */
  reshape: { shape: number[] };
  /** Output axis a is input axis dims[a] (as the call gave them; may be negative). */
  permute: { dims: number[] };
  transpose: { dim0: number; dim1: number };
  /** `dim` null: every length-1 axis. */
  squeeze: { dim: number[] | null };
  unsqueeze: { dim: number };
  flatten: { startDim: number; endDim: number };
  narrow: { dim: number; start: number; length: number };
  /** One piece of `split` (each piece is recorded on its own). */
  split: { dim: number; start: number; length: number };
  slice: { dim: number; start: number; end: number; step: number };
  indexSelect: { dim: number };
  cat: { dim: number };
  stack: { dim: number };
  /** `pads`: (before, after) pairs from the last axis backwards, as F.pad. */
  pad: { pads: number[]; value: number };
  /** `shape`: the output shape. */
  expand: { shape: number[] };
  clone: NoAttrs;
}

/** Per-spatial-dimension lists (one entry per spatial axis). */
export interface ConvAttrs {
  stride: number[];
  padding: number[];
  dilation: number[];
  kernelSize: number[];
  groups: number;
  inChannels: number;
  outChannels: number;
  bias: boolean;
}

export interface MaxPoolAttrs {
  kernelSize: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

export interface AvgPoolAttrs extends MaxPoolAttrs {
  countIncludePad: boolean;
}

/** Layers: products, convolutions, pooling, normalization, softmax, embedding, dropout. */
export interface LayerOpAttrs {
  matmul: NoAttrs;
  linear: { inFeatures: number; outFeatures: number; bias: boolean };
  conv1d: ConvAttrs;
  conv2d: ConvAttrs;
  conv3d: ConvAttrs;
  maxPool1d: MaxPoolAttrs;
  maxPool2d: MaxPoolAttrs;
  maxPool3d: MaxPoolAttrs;
  avgPool1d: AvgPoolAttrs;
  avgPool2d: AvgPoolAttrs;
  avgPool3d: AvgPoolAttrs;
  adaptiveAvgPool2d: { outputSize: [number, number] };
  batchNorm: { training: boolean; momentum: number; eps: number };
  instanceNorm: { useInputStats: boolean; momentum: number; eps: number };
  /** `normalizedShape`: the trailing axes normalized over. */
  layerNorm: { normalizedShape: number[]; eps: number };
  groupNorm: { numGroups: number; eps: number };
  /** `dim` as the call gave it (may be negative). */
  softmax: { dim: number };
  logSoftmax: { dim: number };
  embedding: { numEmbeddings: number; dim: number };
  dropout: { p: number; training: boolean };
}

export interface LossOpAttrs {
  nllLoss: { reduction: Reduction; ignoreIndex: number };
  crossEntropy: { reduction: Reduction; ignoreIndex: number; labelSmoothing: number };
  mseLoss: { reduction: Reduction };
}

/** Every op, name → attributes. Extended by declaration merging (see the file comment). */
export interface OpAttrs
  extends UnaryOpAttrs,
    BinaryOpAttrs,
    CompareOpAttrs,
    ReduceOpAttrs,
    ShapeOpAttrs,
    LayerOpAttrs,
    LossOpAttrs {}

export type OpName = keyof OpAttrs;
export type UnaryOpName = keyof UnaryOpAttrs;
export type BinaryOpName = keyof BinaryOpAttrs;
export type CompareOpName = keyof CompareOpAttrs;
export type ReduceOpName = keyof ReduceOpAttrs;
export type ShapeOpName = keyof ShapeOpAttrs;
export type LayerOpName = keyof LayerOpAttrs;
export type LossOpName = keyof LossOpAttrs;

/** The attribute argument of `fromOp`: optional for ops that record none. */
export type AttrsArg<K extends OpName> = NoAttrs extends OpAttrs[K] ? [attrs?: OpAttrs[K]] : [attrs: OpAttrs[K]];

/** What a traced op remembers about how a tensor was made, for one op name. */
export interface TraceOf<K extends OpName> {
  readonly op: K;
  readonly inputs: readonly Tensor[];
  readonly attrs: Readonly<OpAttrs[K]>;
}

/** What a traced op remembers (see `traceGraph`): a union over the op list, narrowed by `op`. */
export type TraceNode = { [K in OpName]: TraceOf<K> }[OpName];
