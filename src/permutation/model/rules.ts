/**
 * How each traced op carries channel axes: which axes of its inputs and output are the same axis
 * (so a permutation of one is a permutation of the other), and which axes it is indifferent to
 * (a sum over an axis does not care about that axis's order). Everything a rule does not mention
 * is pinned by the caller, so a barrier is an op whose rule links nothing.
 *
 * The rules are one table keyed by the typed op list (src/tensor/op_list.ts): every op has a row,
 * so a new or renamed op does not compile until someone decides how it carries channels.
 */
import type { OpName, ReduceOpName, Tensor, TraceOf } from '../../tensor/index.js';

/** An operand: -1 is the op's output, i ≥ 0 its i-th input. */
export type Who = number;
/** Two axes that are the same channel axis. */
export type Link = readonly [Who, number, Who, number];

export interface OpEffect {
  readonly links: Link[];
  /** Axes whose order does not matter to the op (reduced inputs, broadcast outputs). */
  readonly free: (readonly [Who, number])[];
  /** A name for the report: how apex would classify the node. */
  readonly kind: NodeKind;
}

export type NodeKind = 'target' | 'kPassthrough' | 'passthrough' | 'concat' | 'barrier' | 'other';

function axes(t: Tensor): number[] {
  return t.shape.map((_n, i) => i);
}

function allAxes(out: Tensor, inputs: readonly Tensor[], which: readonly number[]): Link[] {
  return which.flatMap((i) => axes(out).map((a): Link => [-1, a, i, a]));
}

/** Right-aligned broadcast: axis a of the output is axis a - (rank(out) - rank(in)) of an input. */
function broadcastLinks(out: Tensor, inputs: readonly Tensor[]): OpEffect {
  const links: Link[] = [];
  const free: (readonly [Who, number])[] = [];
  inputs.forEach((t, i) => {
    const lead = out.ndim - t.ndim;
    for (let b = 0; b < t.ndim; b++) {
      if (t.shape[b] === out.shape[b + lead]) links.push([-1, b + lead, i, b]);
    }
  });
  return { links, free, kind: 'passthrough' };
}

/**
 * Axes kept whole by a reshape: input axis b is output axis a when everything before them holds
 * the same number of elements and they have the same length.
 */
function reshapeLinks(out: Tensor, x: Tensor): Link[] {
  const links: Link[] = [];
  let before = 1;
  const prefix = new Map<string, number>();
  let p = 1;
  out.shape.forEach((n, a) => {
    prefix.set(`${p}:${n}`, a);
    p *= n;
  });
  x.shape.forEach((n, b) => {
    const a = prefix.get(`${before}:${n}`);
    if (a !== undefined) links.push([-1, a, 0, b]);
    before *= n;
  });
  return links;
}

/** Convolution (also grouped and depthwise): `channelAxis` of input and output. */
function convEffect(out: Tensor, inputs: readonly Tensor[], groups: number): OpEffect {
  const [x, w] = [inputs[0]!, inputs[1]!];
  const c = x.ndim - (w.ndim - 2) - 1;
  const links: Link[] = [];
  if (c === 1) links.push([-1, 0, 0, 0]);
  const cin = x.shape[c]!;
  const k = w.shape[0]!;
  const perGroup = cin / groups;
  if (groups === 1) {
    links.push([0, c, 1, 1], [-1, c, 1, 0]);
    if (inputs[2] !== undefined) links.push([-1, c, 2, 0]);
    return { links, free: [], kind: 'target' };
  }
  if (perGroup === 1 && k === cin) {
    // Depthwise: channel i only ever meets channel i, so it passes one permutation through.
    links.push([0, c, -1, c], [-1, c, 1, 0]);
    if (inputs[2] !== undefined) links.push([-1, c, 2, 0]);
    return { links, free: [], kind: 'kPassthrough' };
  }
  if (perGroup > 1) {
    // A permutation of period dividing C/groups keeps every channel in its group; the weight's
    // dim 1 (C/groups long) sits in the class, so the class period divides it. Outputs stay put,
    // as in apex.
    links.push([0, c, 1, 1]);
    return { links, free: [], kind: 'target' };
  }
  return { links, free: [], kind: 'barrier' };
}

/** How one op carries channel axes, given its output and its trace node (typed by op name). */
export type Rule<K extends OpName> = (out: Tensor, node: TraceOf<K>) => OpEffect;
export type RuleTable = { readonly [K in OpName]: Rule<K> };

const barrier = (): OpEffect => ({ links: [], free: [], kind: 'barrier' });
/** Same shape in and out, every axis carried (element-wise, and softmax along an axis: order-equivariant). */
const unary = (out: Tensor, { inputs }: TraceOf<OpName>): OpEffect => ({
  links: allAxes(out, inputs, [0]),
  free: [],
  kind: 'passthrough',
});
const elementwise = (out: Tensor, { inputs }: TraceOf<OpName>): OpEffect => broadcastLinks(out, inputs);
const conv = (out: Tensor, { inputs, attrs }: TraceOf<'conv1d' | 'conv2d' | 'conv3d'>): OpEffect =>
  convEffect(out, inputs, attrs.groups);
/** Per-channel statistics and affine: every axis passes through; the affine joins channel 1. */
const runningStatsNorm = (out: Tensor, { inputs }: TraceOf<'batchNorm' | 'instanceNorm'>): OpEffect => {
  const links = allAxes(out, inputs, [0]);
  for (let i = 1; i < inputs.length; i++) links.push([-1, 1, i, 0]);
  return { links, free: [], kind: 'kPassthrough' };
};
/** Pooling keeps the leading (batch, channel) axes and reshapes the `spatial` trailing ones. */
const pool =
  (spatial: number) =>
  (out: Tensor): OpEffect => ({
    links: axes(out)
      .slice(0, out.ndim - spatial)
      .map((a): Link => [-1, a, 0, a]),
    free: [],
    kind: 'passthrough',
  });
const reshape = (out: Tensor, { inputs }: TraceOf<OpName>): OpEffect => ({
  links: reshapeLinks(out, inputs[0]!),
  free: [],
  kind: 'passthrough',
});
/** Narrowing ops keep every axis whose length is unchanged, except the axis they take from. */
const take = (out: Tensor, node: TraceOf<'narrow' | 'slice' | 'split' | 'indexSelect' | 'pad'>): OpEffect => {
  const x = node.inputs[0]!;
  const taken = 'dim' in node.attrs ? node.attrs.dim : null;
  const links = axes(out)
    .filter((a) => x.shape[a] === out.shape[a] && taken !== a)
    .map((a): Link => [-1, a, 0, a]);
  return { links, free: [], kind: 'passthrough' };
};
/** Reductions whose value does not depend on the order along the reduced axes. */
const orderFreeReduce = (out: Tensor, { inputs, attrs }: TraceOf<ReduceOpName>): OpEffect =>
  reduceEffect(inputs[0]!, attrs.dim, attrs.keepdim);

/**
 * The rule of every op in the typed op list. `barrier` rows are ops that pin every axis: the
 * permutation machinery does not look through them (losses, index-valued ops, and ops nobody has
 * written a rule for yet — `split`, the compressed sparse ops and `fakeQuantize` among them).
 */
export const RULES: RuleTable = {
  neg: unary,
  sqrt: unary,
  exp: unary,
  log: unary,
  abs: unary,
  relu: unary,
  relu6: unary,
  sigmoid: unary,
  tanh: unary,
  silu: unary,
  hardswish: unary,
  gelu: unary,
  leakyRelu: unary,
  clamp: unary,
  dropout: unary,
  clone: unary,
  softmax: unary,
  logSoftmax: unary,
  add: elementwise,
  sub: elementwise,
  mul: elementwise,
  div: elementwise,
  pow: elementwise,
  where: elementwise,
  eq: elementwise,
  ne: elementwise,
  lt: elementwise,
  le: elementwise,
  gt: elementwise,
  ge: elementwise,
  sum: orderFreeReduce,
  mean: orderFreeReduce,
  var: orderFreeReduce,
  max: orderFreeReduce,
  min: orderFreeReduce,
  argmax: barrier,
  argmin: barrier,
  linear: (out, { inputs }) => {
    const x = inputs[0]!;
    const last = x.ndim - 1;
    const links: Link[] = x.shape.slice(0, -1).map((_n, a): Link => [-1, a, 0, a]);
    links.push([0, last, 1, 1], [-1, last, 1, 0]);
    if (inputs[2] !== undefined) links.push([-1, last, 2, 0]);
    return { links, free: [], kind: 'target' };
  },
  matmul: (out, { inputs }) => matmulEffect(out, inputs[0]!, inputs[1]!),
  conv1d: conv,
  conv2d: conv,
  conv3d: conv,
  batchNorm: runningStatsNorm,
  instanceNorm: runningStatsNorm,
  layerNorm: (out, { inputs, attrs }) => {
    // Statistics over a set of axes do not depend on their order; the affine is indexed by them.
    const x = inputs[0]!;
    const norm = attrs.normalizedShape.length;
    const links = allAxes(out, inputs, [0]);
    for (let i = 1; i < inputs.length; i++) {
      for (let d = 0; d < norm; d++) links.push([-1, x.ndim - norm + d, i, d]);
    }
    return { links, free: [], kind: 'kPassthrough' };
  },
  groupNorm: (out) => {
    // Groups are runs of channels, so the channel axis is a barrier (apex: disallowed).
    const links = axes(out)
      .filter((a) => a !== 1)
      .map((a): Link => [-1, a, 0, a]);
    return { links, free: [], kind: 'barrier' };
  },
  maxPool1d: pool(1),
  maxPool2d: pool(2),
  maxPool3d: pool(3),
  avgPool1d: pool(1),
  avgPool2d: pool(2),
  avgPool3d: pool(3),
  adaptiveAvgPool2d: pool(2),
  reshape,
  flatten: reshape,
  squeeze: reshape,
  unsqueeze: reshape,
  permute: (out, { attrs }) => permutedAxes(attrs.dims.map((d) => (d < 0 ? d + out.ndim : d))),
  transpose: (out, { attrs }) => permutedAxes(swap(out.ndim, attrs.dim0, attrs.dim1)),
  expand: (out, { inputs }) => {
    const x = inputs[0]!;
    const lead = out.ndim - x.ndim;
    const links: Link[] = [];
    const free: (readonly [Who, number])[] = [];
    for (let a = 0; a < out.ndim; a++) {
      if (a >= lead && x.shape[a - lead] === out.shape[a]) links.push([-1, a, 0, a - lead]);
      else free.push([-1, a]); // constant along a broadcast axis: any order is the same tensor
    }
    return { links, free, kind: 'passthrough' };
  },
  cat: (out, { inputs, attrs }) => ({
    // Along the cat axis the segments tile the output; the class period (gcd) keeps each
    // segment's permutation inside it (apex's gcd tiling).
    links: allAxes(
      out,
      inputs,
      inputs.map((_t, i) => i),
    ),
    free: [],
    kind: attrs.dim === 1 ? 'concat' : 'passthrough',
  }),
  stack: (_out, { inputs, attrs }) => {
    const dim = attrs.dim;
    const links = inputs.flatMap((t, i) => axes(t).map((b): Link => [-1, b >= dim ? b + 1 : b, i, b]));
    return { links, free: [], kind: 'passthrough' };
  },
  narrow: take,
  slice: take,
  indexSelect: take,
  pad: take,
  split: barrier,
  embedding: barrier,
  nllLoss: barrier,
  crossEntropy: barrier,
  mseLoss: barrier,
  sparseLinear: barrier,
  sparseConv1d: barrier,
  sparseConv2d: barrier,
  sparseConv3d: barrier,
  fakeQuantize: barrier,
};

/** The rule of one op, typed by its name (one generic step, so the table row and node agree). */
function ruleEffect<K extends OpName>(out: Tensor, node: TraceOf<K>): OpEffect {
  const rule: Rule<K> = RULES[node.op];
  return rule(out, node);
}

/** The effect of one traced op (`out.trace` must be set). */
export function opEffect(out: Tensor): OpEffect {
  return ruleEffect(out, out.trace!);
}

function permutedAxes(dims: readonly number[]): OpEffect {
  return { links: dims.map((b, a): Link => [-1, a, 0, b]), free: [], kind: 'passthrough' };
}

function swap(rank: number, a: number, b: number): number[] {
  return Array.from({ length: rank }, (_v, i) => (i === a ? b : i === b ? a : i));
}

function reduceEffect(x: Tensor, dim: number | readonly number[] | null, keep: boolean): OpEffect {
  const reduced = dim === null ? axes(x) : typeof dim === 'number' ? [dim] : dim;
  const links: Link[] = [];
  const free: (readonly [Who, number])[] = [];
  let a = 0;
  for (let b = 0; b < x.ndim; b++) {
    if (reduced.includes(b)) {
      free.push([0, b]);
      if (keep) a++;
    } else links.push([-1, a++, 0, b]);
  }
  return { links, free, kind: 'passthrough' };
}

/** Batched matmul: the contracted axes are one class whose order the product ignores. */
function matmulEffect(out: Tensor, a: Tensor, b: Tensor): OpEffect {
  if (a.ndim < 2 || b.ndim < 2) return { links: [], free: [], kind: 'barrier' };
  const links: Link[] = [
    [0, a.ndim - 1, 1, b.ndim - 2],
    [-1, out.ndim - 2, 0, a.ndim - 2],
    [-1, out.ndim - 1, 1, b.ndim - 1],
  ];
  for (const [i, t] of [
    [0, a],
    [1, b],
  ] as const) {
    const lead = out.ndim - t.ndim;
    for (let d = 0; d < t.ndim - 2; d++) if (t.shape[d] === out.shape[d + lead]) links.push([-1, d + lead, i, d]);
  }
  return {
    links,
    free: [
      [0, a.ndim - 1],
      [1, b.ndim - 2],
    ],
    kind: 'other',
  };
}
