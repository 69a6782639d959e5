/**
 * Reads a model's channel classes from one traced forward pass (`traceGraph`, `noGrad`, eval
 * mode). Only what ran is seen, so data-dependent control flow needs no special handling.
 */
import type { AnyModule } from '../../nn/index.js';
import { type OpName, type Tensor, joinName, noGrad, traceGraph } from '../../tensor/index.js';
import { ChannelClasses } from './classes.js';
import { type NodeKind, type Who, opEffect } from './rules.js';

/** A traced op: its name, the module scope it ran in and how the permutation machinery sees it. */
export interface GraphNode {
  readonly op: OpName;
  readonly scope: string | null;
  readonly kind: NodeKind;
}

export interface ModelGraph {
  readonly classes: ChannelClasses;
  readonly nodes: GraphNode[];
  /** The output tensors of the traced pass (the inputs are pinned, the outputs too). */
  readonly outputs: Tensor[];
}

export interface NamedTensor {
  readonly name: string;
  readonly tensor: Tensor;
  readonly buffer: boolean;
}

/** Which parameter dimension is a layer's input-channel dimension (reported as permuted along C). */
export type RoleOf = (name: string, dim: number) => 'C' | 'K';

function collectTensors(value: unknown, out: Tensor[]): void {
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out);
  else if (value !== null && typeof value === 'object' && 'trace' in value && 'shape' in value)
    out.push(value as Tensor);
}

/** Runs `model` on `inputs` and returns the output tensors (a tensor, or arrays of them). */
export function tracedForward(model: AnyModule, inputs: readonly Tensor[]): Tensor[] {
  const wasTraining = model.training;
  model.eval();
  try {
    const result = noGrad(() => traceGraph(() => (model.call as (...a: Tensor[]) => unknown)(...inputs)));
    const outs: Tensor[] = [];
    collectTensors(result, outs);
    return outs;
  } finally {
    model.train(wasTraining);
  }
}

/** Builds the channel classes of the graph that produced `outputs` from `inputs`. */
export function buildGraph(
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  state: readonly NamedTensor[],
  roleOf: RoleOf,
): ModelGraph {
  const cc = new ChannelClasses();
  const ids = new Map<Tensor, number>();
  const named = new Map<Tensor, NamedTensor>(state.map((s) => [s.tensor, s]));
  const byName = new Map<string, NamedTensor>(state.map((s) => [s.name, s]));
  const inputSet = new Set(inputs);
  const idOf = (t: Tensor): number => {
    let id = ids.get(t);
    if (id === undefined) {
      id = ids.size;
      ids.set(t, id);
    }
    return id;
  };
  /** The element of axis `axis` of `t`; null for length-1 axes (nothing to permute). */
  const port = (t: Tensor, axis: number): number | null => {
    const n = t.shape[axis]!;
    if (n === 1) return null;
    const p = named.get(t);
    const key = p !== undefined ? `${p.name}:${axis}` : `#${idOf(t)}:${axis}`;
    const id = cc.element(key, n);
    if (p !== undefined)
      cc.markParam(id, { name: p.name, dim: axis, role: p.buffer ? 'K' : roleOf(p.name, axis), buffer: p.buffer });
    else if (t.trace === null) cc.pin(id, inputSet.has(t) ? 'network input' : 'constant tensor in the forward');
    return id;
  };

  const nodes: GraphNode[] = [];
  const seen = new Set<Tensor>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    for (let a = 0; a < t.ndim; a++) port(t, a);
    if (t.trace === null) continue;
    const { op, inputs: ins } = t.trace;
    const effect = opEffect(t);
    nodes.push({ op, scope: t.scope, kind: effect.kind });
    const tensorOf = (w: Who): Tensor => (w < 0 ? t : ins[w]!);
    const covered = new Set<string>();
    for (const [w1, a1, w2, a2] of effect.links) {
      const p1 = port(tensorOf(w1), a1);
      const p2 = port(tensorOf(w2), a2);
      covered.add(`${w1}:${a1}`).add(`${w2}:${a2}`);
      if (p1 !== null && p2 !== null) cc.union(p1, p2);
    }
    for (const [w, a] of effect.free) covered.add(`${w}:${a}`);
    if ((op === 'batchNorm' || op === 'instanceNorm') && t.scope !== null && t.ndim > 1) {
      // Running statistics are read by the op but are not traced inputs: find them by scope.
      for (const stat of ['running_mean', 'running_var']) {
        const buf = byName.get(joinName(t.scope, stat));
        const p1 = port(t, 1);
        const p2 = buf === undefined || buf.tensor.ndim !== 1 ? null : port(buf.tensor, 0);
        if (p1 !== null && p2 !== null) cc.union(p1, p2);
      }
    }
    const where = `${op}${t.scope ? ` in '${t.scope}'` : ''}`;
    for (const w of [-1, ...ins.map((_x, i) => i)]) {
      const x = tensorOf(w);
      for (let a = 0; a < x.ndim; a++) {
        const p = port(x, a);
        if (p !== null && !covered.has(`${w}:${a}`))
          cc.pin(p, `${where} does not carry ${w < 0 ? 'its output' : `input ${w}`} axis ${a}`);
      }
    }
    for (const x of ins) stack.push(x);
  }
  for (const t of outputs) {
    for (let a = 0; a < t.ndim; a++) {
      const p = port(t, a);
      if (p !== null) cc.pin(p, 'network output');
    }
  }
  for (const t of inputs) {
    for (let a = 0; a < t.ndim; a++) {
      const p = port(t, a);
      if (p !== null) cc.pin(p, 'network input');
    }
  }
  return { classes: cc, nodes: nodes.reverse(), outputs: [...outputs] };
}
