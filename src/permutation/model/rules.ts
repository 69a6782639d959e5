/**
 * How each traced op carries channel axes: which axes of its inputs and output are the same axis
 * (so a permutation of one is a permutation of the other), and which axes it is indifferent to
 * (a sum over an axis does not care about that axis's order). Everything a rule does not mention
 * is pinned by the caller, so an unknown op is a barrier by default.
 */
import type { Tensor } from '../../tensor/index.js';

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

const UNARY = new Set([
  'neg',
  'sqrt',
  'exp',
  'log',
  'abs',
  'relu',
  'relu6',
  'sigmoid',
  'tanh',
  'silu',
  'hardswish',
  'gelu',
  'leakyRelu',
  'clamp',
  'dropout',
  'clone',
  'softmax',
  'logSoftmax',
]);
const ELEMENTWISE = new Set(['add', 'sub', 'mul', 'div', 'pow', 'where', 'eq', 'ne', 'lt', 'le', 'gt', 'ge']);
/** Reductions whose value does not depend on the order along the reduced axes. */
const ORDER_FREE_REDUCE = new Set(['sum', 'mean', 'var', 'max', 'min']);

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

function numberList(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((d): d is number => typeof d === 'number') : typeof v === 'number' ? [v] : [];
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

/** The effect of one traced op (`out.trace` must be set). */
export function opEffect(out: Tensor): OpEffect {
  const { op, inputs, attrs } = out.trace!;
  if (UNARY.has(op)) return { links: allAxes(out, inputs, [0]), free: [], kind: 'passthrough' };
  if (ELEMENTWISE.has(op)) return broadcastLinks(out, inputs);
  switch (op) {
    case 'linear': {
      const x = inputs[0]!;
      const last = x.ndim - 1;
      const links: Link[] = x.shape.slice(0, -1).map((_n, a): Link => [-1, a, 0, a]);
      links.push([0, last, 1, 1], [-1, last, 1, 0]);
      if (inputs[2] !== undefined) links.push([-1, last, 2, 0]);
      return { links, free: [], kind: 'target' };
    }
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
      return convEffect(out, inputs, typeof attrs['groups'] === 'number' ? attrs['groups'] : 1);
    case 'batchNorm':
    case 'instanceNorm': {
      // Per-channel statistics and affine: every axis passes through; the affine joins channel 1.
      const links = allAxes(out, inputs, [0]);
      for (let i = 1; i < inputs.length; i++) links.push([-1, 1, i, 0]);
      return { links, free: [], kind: 'kPassthrough' };
    }
    case 'layerNorm': {
      // Statistics over a set of axes do not depend on their order; the affine is indexed by them.
      const x = inputs[0]!;
      const norm = numberList(attrs['normalizedShape']).length;
      const links = allAxes(out, inputs, [0]);
      for (let i = 1; i < inputs.length; i++) {
        for (let d = 0; d < norm; d++) links.push([-1, x.ndim - norm + d, i, d]);
      }
      return { links, free: [], kind: 'kPassthrough' };
    }
    case 'groupNorm': {
      // Groups are runs of channels, so the channel axis is a barrier (apex: disallowed).
      const links = axes(out)
        .filter((a) => a !== 1)
        .map((a): Link => [-1, a, 0, a]);
      return { links, free: [], kind: 'barrier' };
    }
    case 'maxPool1d':
    case 'maxPool2d':
    case 'maxPool3d':
    case 'avgPool1d':
    case 'avgPool2d':
    case 'avgPool3d':
    case 'adaptiveAvgPool2d': {
      const spatial = op === 'adaptiveAvgPool2d' ? 2 : Number(op.charAt(op.length - 2));
      const kept = out.ndim - spatial;
      return {
        links: axes(out)
          .slice(0, kept)
          .map((a): Link => [-1, a, 0, a]),
        free: [],
        kind: 'passthrough',
      };
    }
    case 'reshape':
    case 'flatten':
    case 'squeeze':
    case 'unsqueeze':
      return { links: reshapeLinks(out, inputs[0]!), free: [], kind: 'passthrough' };
    case 'permute':
    case 'transpose': {
      const dims =
        op === 'permute' ? numberList(attrs['dims']).map((d) => (d < 0 ? d + out.ndim : d)) : swap(out.ndim, attrs);
      return { links: dims.map((b, a): Link => [-1, a, 0, b]), free: [], kind: 'passthrough' };
    }
    case 'expand': {
      const x = inputs[0]!;
      const lead = out.ndim - x.ndim;
      const links: Link[] = [];
      const free: (readonly [Who, number])[] = [];
      for (let a = 0; a < out.ndim; a++) {
        if (a >= lead && x.shape[a - lead] === out.shape[a]) links.push([-1, a, 0, a - lead]);
        else free.push([-1, a]); // constant along a broadcast axis: any order is the same tensor
      }
      return { links, free, kind: 'passthrough' };
    }
    case 'cat': {
      // Along the cat axis the segments tile the output; the class period (gcd) keeps each
      // segment's permutation inside it (apex's gcd tiling).
      const dim = typeof attrs['dim'] === 'number' ? attrs['dim'] : 0;
      return {
        links: allAxes(
          out,
          inputs,
          inputs.map((_t, i) => i),
        ),
        free: [],
        kind: dim === 1 ? 'concat' : 'passthrough',
      };
    }
    case 'stack': {
      const dim = typeof attrs['dim'] === 'number' ? attrs['dim'] : 0;
      const links = inputs.flatMap((t, i) => axes(t).map((b): Link => [-1, b >= dim ? b + 1 : b, i, b]));
      return { links, free: [], kind: 'passthrough' };
    }
    case 'narrow':
    case 'slice':
    case 'indexSelect':
    case 'pad': {
      const x = inputs[0]!;
      const links = axes(out)
        .filter((a) => x.shape[a] === out.shape[a] && !(op !== 'pad' && attrs['dim'] === a))
        .map((a): Link => [-1, a, 0, a]);
      return { links, free: [], kind: 'passthrough' };
    }
    case 'matmul':
      return matmulEffect(out, inputs[0]!, inputs[1]!);
    default:
      if (ORDER_FREE_REDUCE.has(op)) return reduceEffect(out, inputs[0]!, attrs);
      return { links: [], free: [], kind: 'barrier' };
  }
}

function swap(rank: number, attrs: Readonly<Record<string, unknown>>): number[] {
  const a = Number(attrs['dim0']);
  const b = Number(attrs['dim1']);
  return Array.from({ length: rank }, (_v, i) => (i === a ? b : i === b ? a : i));
}

function reduceEffect(out: Tensor, x: Tensor, attrs: Readonly<Record<string, unknown>>): OpEffect {
  const reduced = attrs['dim'] === null || attrs['dim'] === undefined ? axes(x) : numberList(attrs['dim']);
  const keep = attrs['keepdim'] === true;
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
