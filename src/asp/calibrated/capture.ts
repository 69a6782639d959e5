/**
 * Capturing what each prunable weight multiplies while calibration batches run: every target
 * module's forward is shadowed on its instance for the duration of the pass, and records its
 * calibration rows (at most maxRows, the first ones).
 *
 * - Linear: its input rows [*, in]; Conv: its patches in krscView's column order.
 * - MultiheadAttention's packed `in_proj_weight` [3E, E]: when query, key and value are one and
 *   the same tensor (self-attention), Wq, Wk and Wv all multiply that input, so its positions are
 *   the rows of the whole [3E, E] weight, whatever the layout (batch-first or not: only the set of
 *   rows matters). With distinct tensors (cross-attention, or a copy) no single set of rows
 *   describes the weight, and the target is reported as `notSelfAttention`.
 */
import { type AnyModule, type Module, MultiheadAttention, prunableLayer } from '../../nn/index.js';
import { Tensor, noGrad } from '../../tensor/index.js';
import type { ASP } from '../asp.js';
import { convPatches, linearRows } from './unfold.js';

export interface Target {
  readonly name: string;
  readonly module: AnyModule;
  readonly sp: ASP['sparseParameters'][number];
  /** Why a calibrated method cannot prune it, or null. */
  readonly magnitudeOnly: string | null;
}

export interface Captured {
  /** Each target's rows [n, columns], or null when the batches never reached it. */
  readonly rows: Map<Target, Tensor | null>;
  /** Targets in the order the forward pass reached them. */
  readonly order: Target[];
  /** Attention targets called with distinct query, key or value at least once. */
  readonly notSelfAttention: Set<Target>;
}

/** The weight's calibration rows from the forward's arguments; null for attention that is not self-attention. */
function rowsOf(module: AnyModule, args: readonly unknown[]): { rows: Float32Array; count: number } | null {
  const x = args[0] as Tensor;
  if (module instanceof MultiheadAttention) {
    return args[1] === x && args[2] === x ? linearRows(x.data, x.shape) : null;
  }
  const p = prunableLayer(module);
  if (p === null) throw new Error('pruneOneShot: internal: rows of a non-prunable layer');
  return p.kind === 'linear' ? linearRows(x.data, x.shape) : convPatches(x.data, x.shape, p.layer);
}

/** Runs the calibration batches with `targets` recording their inputs (at most maxRows each). */
export function capture(
  model: AnyModule,
  batches: readonly Tensor[],
  targets: readonly Target[],
  maxRows: number,
): Captured {
  const chunks = new Map<Target, Float32Array[]>(targets.map((t) => [t, []]));
  const counts = new Map<Target, number>(targets.map((t) => [t, 0]));
  const order: Target[] = [];
  const notSelfAttention = new Set<Target>();
  const restore: (() => void)[] = [];
  for (const t of targets) {
    const m = t.module as Module;
    const original = m.forward;
    const cols = t.sp.param.size / t.sp.param.shape[0]!;
    // An own property shadows the class's forward for this instance only; deleted afterwards.
    Object.defineProperty(m, 'forward', {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        if (!order.includes(t)) order.push(t);
        const have = counts.get(t)!;
        if (have < maxRows && !notSelfAttention.has(t)) {
          const got = rowsOf(t.module, args);
          if (got === null) notSelfAttention.add(t);
          else {
            const take = Math.min(got.count, maxRows - have);
            chunks.get(t)!.push(got.rows.subarray(0, take * cols));
            counts.set(t, have + take);
          }
        }
        return (original as (...a: unknown[]) => unknown).apply(m, args);
      },
    });
    restore.push(() => delete (m as { forward?: unknown }).forward);
  }
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const b of batches) (model.call as (x: Tensor) => unknown)(b);
    });
  } finally {
    for (const r of restore) r();
    model.train(wasTraining);
  }
  const rows = new Map<Target, Tensor | null>();
  for (const t of targets) {
    const cols = t.sp.param.size / t.sp.param.shape[0]!;
    const n = counts.get(t)!;
    if (n === 0 || notSelfAttention.has(t)) {
      rows.set(t, null);
      continue;
    }
    const data = new Float32Array(n * cols);
    let at = 0;
    for (const c of chunks.get(t)!) {
      data.set(c, at);
      at += c.length;
    }
    rows.set(t, new Tensor(data, [n, cols]));
  }
  return { rows, order, notSelfAttention };
}
