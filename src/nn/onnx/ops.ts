/**
 * How each op of the typed op list (src/tensor/op_list.ts) is written as ONNX opset-17 nodes. The
 * table is exhaustive over the core ops, so a new or renamed op fails to compile until it says how
 * it exports (or why it cannot: `unsupported`). Ops that layers above add (sparse kernels,
 * fake-quant) join through `registerOnnxOp`, the registry every extension point uses.
 */
import type {
  BinaryOpName,
  CompareOpName,
  LayerOpName,
  LossOpName,
  OpAttrs,
  ReduceOpName,
  ShapeOpName,
  UnaryOpName,
} from '../../tensor/op_list.js';
import type { OpName } from '../../tensor/op_list.js';
import { ValueError } from '../../tensor/errors.js';
import { Registry } from '../../tensor/registry.js';
import type { OpContext } from './emitter.js';

/** Writes one traced op; returns the ONNX name of its output. */
export type OnnxMapping<K extends OpName = OpName> = (c: OpContext, attrs: Readonly<OpAttrs[K]>) => string;

type CoreOpName = UnaryOpName | BinaryOpName | CompareOpName | ReduceOpName | ShapeOpName | LayerOpName | LossOpName;

/** TensorProto.DataType codes used by Cast. */
const FLOAT = 1;
const BOOL = 9;
const INT64 = 7;

const unsupported =
  (why: string): OnnxMapping =>
  (c) =>
    c.fail(`cannot be exported: ${why}`);

const same =
  (opType: string): OnnxMapping =>
  (c) =>
    c.node(opType, [c.input(0)]);

const binary =
  (opType: string): OnnxMapping =>
  (c) =>
    c.node(opType, [c.input(0), c.input(1)]);

/** Comparisons give 0/1 floats here and booleans in ONNX. */
const compare =
  (opType: string, negate = false): OnnxMapping =>
  (c) => {
    const b = c.node(opType, [c.input(0), c.input(1)]);
    return c.node('Cast', [negate ? c.node('Not', [b]) : b], { to: FLOAT });
  };

const axis = (d: number, rank: number): number => (d < 0 ? d + rank : d);

/** The op's output shape as a Reshape target (static, as every shape in the exported graph). */
const reshapeToOut: OnnxMapping = (c) => c.node('Reshape', [c.input(0), c.int64s(c.out.shape)]);

function reduce(
  opType: 'ReduceMean' | 'ReduceMax' | 'ReduceMin',
  c: OpContext,
  dims: readonly number[],
  keep: boolean,
) {
  return c.node(opType, [c.input(0)], { axes: [...dims], keepdims: keep ? 1 : 0 });
}

/** Optional scale / bias of a norm: the traced input when present, else ones / zeros of `shape`. */
function affine(c: OpContext, shape: readonly number[]): { scale: string; bias: string } {
  const n = shape.reduce((a, b) => a * b, 1);
  if (c.inputCount === 2)
    c.fail('has a weight without a bias (or a bias without a weight), which ONNX cannot tell apart');
  return c.inputCount >= 3
    ? { scale: c.input(1), bias: c.input(2) }
    : { scale: c.floats(new Float32Array(n).fill(1), shape), bias: c.floats(new Float32Array(n), shape) };
}

function conv(c: OpContext, a: Readonly<OpAttrs['conv2d']>): string {
  const x = c.inputTensor(0);
  const spatial = a.kernelSize.length;
  const args = [c.input(1), ...(a.bias ? [c.input(2)] : [])];
  const attrs = {
    kernel_shape: a.kernelSize,
    strides: a.stride,
    pads: [...a.padding, ...a.padding],
    dilations: a.dilation,
    group: a.groups,
  };
  if (x.ndim === spatial + 2) return c.node('Conv', [c.input(0), ...args], attrs);
  // Unbatched input (C, ...spatial): add the batch axis around the Conv.
  const batched = c.node('Reshape', [c.input(0), c.int64s([1, ...x.shape])]);
  return c.node('Reshape', [c.node('Conv', [batched, ...args], attrs), c.int64s(c.out.shape)]);
}

function pool(c: OpContext, a: Readonly<OpAttrs['maxPool2d']>, avg: boolean, includePad = true): string {
  if (avg && a.dilation.some((d) => d !== 1)) c.fail('has a dilation, which AveragePool gains only in opset 19');
  const attrs = {
    kernel_shape: a.kernelSize,
    strides: a.stride,
    pads: [...a.padding, ...a.padding],
    ...(avg ? { count_include_pad: includePad ? 1 : 0 } : { dilations: a.dilation }),
  };
  const x = c.inputTensor(0);
  if (x.ndim === a.kernelSize.length + 2) return c.node(avg ? 'AveragePool' : 'MaxPool', [c.input(0)], attrs);
  const batched = c.node('Reshape', [c.input(0), c.int64s([1, ...x.shape])]);
  return c.node('Reshape', [c.node(avg ? 'AveragePool' : 'MaxPool', [batched], attrs), c.int64s(c.out.shape)]);
}

function slice(c: OpContext, dim: number, start: number, end: number, step = 1): string {
  const rank = c.inputTensor(0).ndim;
  return c.node('Slice', [
    c.input(0),
    c.int64s([start]),
    c.int64s([end]),
    c.int64s([axis(dim, rank)]),
    c.int64s([step]),
  ]);
}

function gelu(c: OpContext, approximate: 'none' | 'tanh'): string {
  const x = c.input(0);
  const half = c.node('Mul', [x, c.floats([0.5], [])]);
  let inner: string;
  if (approximate === 'none') {
    inner = c.node('Erf', [c.node('Mul', [x, c.floats([Math.SQRT1_2], [])])]);
  } else {
    const cube = c.node('Mul', [c.node('Mul', [x, x]), x]);
    const poly = c.node('Add', [x, c.node('Mul', [cube, c.floats([0.044715], [])])]);
    inner = c.node('Tanh', [c.node('Mul', [poly, c.floats([Math.sqrt(2 / Math.PI)], [])])]);
  }
  return c.node('Mul', [half, c.node('Add', [inner, c.floats([1], [])])]);
}

const CORE: { readonly [K in CoreOpName]: OnnxMapping<K> } = {
  neg: same('Neg'),
  sqrt: same('Sqrt'),
  exp: same('Exp'),
  log: same('Log'),
  abs: same('Abs'),
  relu: same('Relu'),
  relu6: (c) => c.node('Clip', [c.input(0), c.floats([0], []), c.floats([6], [])]),
  sigmoid: same('Sigmoid'),
  tanh: same('Tanh'),
  silu: (c) => c.node('Mul', [c.input(0), c.node('Sigmoid', [c.input(0)])]),
  hardswish: same('HardSwish'),
  gelu: (c, a) => gelu(c, a.approximate),
  leakyRelu: (c, a) => c.node('LeakyRelu', [c.input(0)], { alpha: { float: a.negativeSlope } }),
  clamp: (c, a) =>
    c.node('Clip', [
      c.input(0),
      Number.isFinite(a.min) ? c.floats([a.min], []) : '',
      Number.isFinite(a.max) ? c.floats([a.max], []) : '',
    ]),

  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  pow: binary('Pow'),

  eq: compare('Equal'),
  ne: compare('Equal', true),
  lt: compare('Less'),
  le: compare('LessOrEqual'),
  gt: compare('Greater'),
  ge: compare('GreaterOrEqual'),
  where: (c) => c.node('Where', [c.node('Cast', [c.input(0)], { to: BOOL }), c.input(1), c.input(2)]),

  sum: (c, a) => c.node('ReduceSum', [c.input(0), c.int64s(a.dim)], { keepdims: a.keepdim ? 1 : 0 }),
  mean: (c, a) => reduce('ReduceMean', c, a.dim, a.keepdim),
  var: (c, a) => {
    const x = c.inputTensor(0);
    const n = a.dim.reduce((p, d) => p * x.shape[d]!, 1);
    if (n - a.correction <= 0) c.fail(`reduces ${n} elements with correction ${a.correction}`);
    const centered = c.node('Sub', [c.input(0), c.node('ReduceMean', [c.input(0)], { axes: a.dim, keepdims: 1 })]);
    const sq = c.node('Mul', [centered, centered]);
    const m = c.node('ReduceMean', [sq], { axes: a.dim, keepdims: a.keepdim ? 1 : 0 });
    return c.node('Mul', [m, c.floats([n / (n - a.correction)], [])]);
  },
  max: (c, a) => {
    const rank = c.inputTensor(0).ndim;
    const dims = a.dim === null ? [...Array(rank).keys()] : [axis(a.dim, rank)];
    return reduce('ReduceMax', c, dims, a.dim !== null && a.keepdim);
  },
  min: (c, a) => {
    const rank = c.inputTensor(0).ndim;
    const dims = a.dim === null ? [...Array(rank).keys()] : [axis(a.dim, rank)];
    return reduce('ReduceMin', c, dims, a.dim !== null && a.keepdim);
  },
  argmax: (c, a) => argExtreme(c, 'ArgMax', a.dim, a.keepdim),
  argmin: (c, a) => argExtreme(c, 'ArgMin', a.dim, a.keepdim),

  reshape: reshapeToOut,
  flatten: reshapeToOut,
  squeeze: reshapeToOut,
  unsqueeze: reshapeToOut,
  permute: (c, a) => {
    const rank = c.inputTensor(0).ndim;
    return c.node('Transpose', [c.input(0)], { perm: a.dims.map((d) => axis(d, rank)) });
  },
  transpose: (c, a) => {
    const rank = c.inputTensor(0).ndim;
    const perm = [...Array(rank).keys()];
    const [i, j] = [axis(a.dim0, rank), axis(a.dim1, rank)];
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    return c.node('Transpose', [c.input(0)], { perm });
  },
  narrow: (c, a) => slice(c, a.dim, a.start, a.start + a.length),
  split: (c, a) => slice(c, a.dim, a.start, a.start + a.length),
  slice: (c, a) => slice(c, a.dim, a.start, a.end, a.step),
  indexSelect: (c, a) =>
    c.node('Gather', [c.input(0), c.node('Cast', [c.input(1)], { to: INT64 })], {
      axis: axis(a.dim, c.inputTensor(0).ndim),
    }),
  cat: (c, a) =>
    c.node(
      'Concat',
      c.trace.inputs.map((_t, i) => c.input(i)),
      { axis: axis(a.dim, c.out.ndim) },
    ),
  stack: (c, a) => {
    const d = axis(a.dim, c.out.ndim);
    const parts = c.trace.inputs.map((_t, i) => c.node('Unsqueeze', [c.input(i), c.int64s([d])]));
    return c.node('Concat', parts, { axis: d });
  },
  pad: (c, a) => {
    const rank = c.inputTensor(0).ndim;
    const begin = new Array<number>(rank).fill(0);
    const end = new Array<number>(rank).fill(0);
    for (let k = 0; 2 * k < a.pads.length; k++) {
      begin[rank - 1 - k] = a.pads[2 * k]!;
      end[rank - 1 - k] = a.pads[2 * k + 1]!;
    }
    return c.node('Pad', [c.input(0), c.int64s([...begin, ...end]), c.floats([a.value], [])], { mode: 'constant' });
  },
  expand: (c, a) => c.node('Expand', [c.input(0), c.int64s(a.shape)]),
  clone: same('Identity'),

  matmul: binary('MatMul'),
  linear: (c, a) => {
    const x = c.inputTensor(0);
    const rest = [c.input(1), ...(a.bias ? [c.input(2)] : [])];
    if (x.ndim === 2) return c.node('Gemm', [c.input(0), ...rest], { transB: 1 });
    // Gemm is 2-D: fold the leading axes into rows and back, keeping the weight in Gemm's layout.
    const rows = c.node('Reshape', [c.input(0), c.int64s([-1, a.inFeatures])]);
    return c.node('Reshape', [c.node('Gemm', [rows, ...rest], { transB: 1 }), c.int64s(c.out.shape)]);
  },
  conv1d: conv,
  conv2d: conv,
  conv3d: conv,
  maxPool1d: (c, a) => pool(c, a, false),
  maxPool2d: (c, a) => pool(c, a, false),
  maxPool3d: (c, a) => pool(c, a, false),
  avgPool1d: (c, a) => pool(c, a, true, a.countIncludePad),
  avgPool2d: (c, a) => pool(c, a, true, a.countIncludePad),
  avgPool3d: (c, a) => pool(c, a, true, a.countIncludePad),
  adaptiveAvgPool2d: (c, a) => {
    const x = c.inputTensor(0);
    const [h, w] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
    const [oh, ow] = a.outputSize;
    if (x.ndim !== 4) c.fail('is exported for 4-D input (N, C, H, W) only');
    if (oh === 1 && ow === 1) return c.node('GlobalAveragePool', [c.input(0)]);
    if (h % oh !== 0 || w % ow !== 0) {
      c.fail(`maps ${h}×${w} to ${oh}×${ow}; ONNX has no adaptive pooling, and uneven windows have no fixed kernel`);
    }
    const k = [h / oh, w / ow];
    return c.node('AveragePool', [c.input(0)], { kernel_shape: k, strides: k, pads: [0, 0, 0, 0] });
  },
  batchNorm: (c, a) => {
    if (a.training) c.fail('runs in training mode (batch statistics); export the model in eval mode');
    const { scale, bias } = affine(c, [c.inputTensor(0).shape[1]!]);
    return c.node(
      'BatchNormalization',
      [c.input(0), scale, bias, c.stateName('running_mean'), c.stateName('running_var')],
      {
        epsilon: { float: a.eps },
      },
    );
  },
  instanceNorm: (c, a) => {
    if (!a.useInputStats) c.fail('normalizes with running statistics, which InstanceNormalization has no input for');
    const { scale, bias } = affine(c, [c.inputTensor(0).shape[1]!]);
    return c.node('InstanceNormalization', [c.input(0), scale, bias], { epsilon: { float: a.eps } });
  },
  layerNorm: (c, a) => {
    const { scale, bias } = affine(c, a.normalizedShape);
    return c.node('LayerNormalization', [c.input(0), scale, bias], {
      axis: -a.normalizedShape.length,
      epsilon: { float: a.eps },
    });
  },
  groupNorm: (c, a) => {
    // Normalize (N, G, rest) per group with InstanceNormalization, then apply the per-channel affine.
    const x = c.inputTensor(0);
    const [n, ch] = [x.shape[0]!, x.shape[1]!];
    const grouped = c.node('Reshape', [c.input(0), c.int64s([n, a.numGroups, -1])]);
    const ones = c.floats(new Float32Array(a.numGroups).fill(1));
    const zeros = c.floats(new Float32Array(a.numGroups));
    const normed = c.node('Reshape', [
      c.node('InstanceNormalization', [grouped, ones, zeros], { epsilon: { float: a.eps } }),
      c.int64s(x.shape),
    ]);
    if (c.inputCount === 1) return normed;
    const { scale, bias } = affine(c, [ch]);
    const perChannel = [ch, ...new Array<number>(x.ndim - 2).fill(1)];
    const s = c.node('Reshape', [scale, c.int64s(perChannel)]);
    const b = c.node('Reshape', [bias, c.int64s(perChannel)]);
    return c.node('Add', [c.node('Mul', [normed, s]), b]);
  },
  softmax: (c, a) => c.node('Softmax', [c.input(0)], { axis: axis(a.dim, c.out.ndim) }),
  logSoftmax: (c, a) => c.node('LogSoftmax', [c.input(0)], { axis: axis(a.dim, c.out.ndim) }),
  embedding: (c) => c.node('Gather', [c.input(1), c.node('Cast', [c.input(0)], { to: INT64 })], { axis: 0 }),
  dropout: (c, a) => {
    if (a.training) c.fail('runs in training mode; export the model in eval mode');
    return c.node('Identity', [c.input(0)]);
  },

  nllLoss: unsupported('a loss belongs to training, not to an inference graph'),
  crossEntropy: unsupported('a loss belongs to training, not to an inference graph'),
  mseLoss: unsupported('a loss belongs to training, not to an inference graph'),
};

function argExtreme(c: OpContext, opType: 'ArgMax' | 'ArgMin', dim: number | null, keepdim: boolean): string {
  const x = c.inputTensor(0);
  if (dim === null) {
    const flat = c.node('Reshape', [c.input(0), c.int64s([-1])]);
    return c.node('Cast', [c.node(opType, [flat], { axis: 0, keepdims: 0 })], { to: FLOAT });
  }
  return c.node('Cast', [c.node(opType, [c.input(0)], { axis: axis(dim, x.ndim), keepdims: keepdim ? 1 : 0 })], {
    to: FLOAT,
  });
}

const mappings = new Registry<OnnxMapping>('ONNX op mapping', ValueError);
for (const [name, mapping] of Object.entries(CORE)) mappings.builtin(name, mapping as OnnxMapping);

/**
 * Adds the ONNX mapping of an op that a layer above the tensor core defines (registered once, or
 * with `{ replace: true }`; the core ops' mappings are built in).
 */
export function registerOnnxOp<K extends OpName>(
  op: K,
  mapping: OnnxMapping<K>,
  options?: { replace?: boolean },
): void {
  mappings.register(op, mapping as OnnxMapping, options);
}

/** The mapping of an op, or undefined when none is registered. */
export function onnxMapping(op: string): OnnxMapping | undefined {
  return mappings.find(op);
}

/** Every op name with an ONNX mapping. */
export function onnxOpNames(): string[] {
  return mappings.names();
}
