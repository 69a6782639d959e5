/**
 * `pruneOneShot`: calibrated one-shot pruning of a whole model. It prepares the model with ASP
 * (apex's eligibility rules and mask buffers), runs the calibration batches to capture what each
 * prunable layer multiplies, and prunes layer by layer with `pruneLayer`. With `sequential`
 * (default), each layer's inputs are captured after every earlier layer was pruned, as SparseGPT
 * does, so a layer corrects for the error of the layers before it.
 *
 * The result is an ordinary ASP state: the masks are in apex's `__weight_mma_mask` buffers and
 * the weights are pruned, so `asp.initOptimizerForPruning` fine-tuning, checkpoints and
 * `toSparseInference` continue from it unchanged. MultiheadAttention's packed `in_proj_weight`
 * is pruned by the calibrated method when the attention is self-attention (query, key and value
 * the same tensor: its rows are that input, see capture.ts). Layers the calibrated methods cannot
 * see through (grouped convolutions, cross-attention, other parameters) are pruned by magnitude,
 * and the report says so.
 */
import { type AnyModule, MultiheadAttention, prunableLayer } from '../../nn/index.js';
import { Tensor, joinName } from '../../tensor/index.js';
import { ValueError } from '../../tensor/errors.js';
import { ASP } from '../asp.js';
import type { AspOptions } from '../options.js';
import { type PruneMethod, PRUNE_METHODS, pruneLayer, reconstructionError } from './prune_layer.js';
import { type Target, capture } from './capture.js';

export interface PruneOneShotOptions {
  method: PruneMethod;
  /** 'N:M' (default '2:4'). */
  pattern?: string;
  /** Capture each layer's inputs after the earlier layers were pruned (default true). */
  sequential?: boolean;
  blocksize?: number;
  percdamp?: number;
  /** At most this many calibration rows per layer (default 16384), the first ones. */
  maxRows?: number;
  /** ASP options besides the mask calculator (whitelist, names, verbosity, logger). */
  asp?: Omit<AspOptions, 'maskCalculator'>;
  /** Called after each layer, with its report (for progress lines). */
  onLayer?: (report: LayerPruneReport, index: number, total: number) => void;
}

export interface LayerPruneReport {
  /** The pruned parameter's dotted name. */
  readonly name: string;
  /** The method that pruned it (magnitude where the calibrated method cannot see the layer). */
  readonly method: PruneMethod;
  readonly shape: readonly number[];
  /** Calibration rows used (positions × batches for a Conv). */
  readonly rows: number;
  /** ‖XWᵀ − XW′ᵀ‖² / ‖XWᵀ‖² on those rows; null without calibration rows. */
  readonly reconstructionError: number | null;
  readonly note: string | null;
}

export interface OneShotResult {
  readonly asp: ASP;
  readonly layers: readonly LayerPruneReport[];
}

function targetsOf(asp: ASP): Target[] {
  return asp.sparseParameters.map((sp) => {
    const p = prunableLayer(sp.module);
    const name = joinName(sp.moduleName, sp.paramName);
    // Its rows are known only once the forward shows whether it is self-attention (capture.ts).
    const packedAttention = sp.module instanceof MultiheadAttention && sp.paramName === 'in_proj_weight';
    let magnitudeOnly: string | null = null;
    if (packedAttention) magnitudeOnly = null;
    else if (p === null || sp.paramName !== 'weight') magnitudeOnly = 'not a Linear or Conv weight';
    else if (p.kind !== 'linear' && p.layer.groups !== 1)
      magnitudeOnly = `a grouped convolution (groups ${p.layer.groups})`;
    return { name, module: sp.module, sp, magnitudeOnly };
  });
}

/** Prunes `model` one-shot with `calibration` batches (see the file comment). */
export function pruneOneShot(
  model: AnyModule,
  calibration: Tensor | readonly Tensor[],
  options: PruneOneShotOptions,
): OneShotResult {
  if (!PRUNE_METHODS.includes(options.method)) {
    throw new ValueError(
      `pruneOneShot: unknown method '${String(options.method)}'; expected ${PRUNE_METHODS.join(', ')}`,
    );
  }
  const batches = calibration instanceof Tensor ? [calibration] : [...calibration];
  if (batches.length === 0) throw new ValueError('pruneOneShot: calibration holds no batch');
  const pattern = options.pattern ?? '2:4';
  const maxRows = options.maxRows ?? 16384;
  if (!Number.isInteger(maxRows) || maxRows < 1)
    throw new ValueError(`pruneOneShot: maxRows must be a positive integer, got ${maxRows}`);
  const asp = ASP.initModelForPruning(model, { allowPermutation: false, ...options.asp, maskCalculator: pattern });
  const targets = targetsOf(asp);
  const sequential = options.sequential ?? true;
  // One pass learns the execution order (and is all the non-sequential mode needs).
  const first = capture(
    model,
    batches,
    targets.filter((t) => t.magnitudeOnly === null),
    maxRows,
  );
  const order = [...first.order, ...targets.filter((t) => !first.order.includes(t))];
  const reports: LayerPruneReport[] = [];
  order.forEach((t, i) => {
    const rows =
      sequential && i > 0 && t.magnitudeOnly === null
        ? capture(model, batches, [t], maxRows).rows.get(t)!
        : (first.rows.get(t) ?? null);
    const crossAttention = first.notSelfAttention.has(t);
    const method: PruneMethod = t.magnitudeOnly === null && rows !== null ? options.method : 'magnitude';
    const weight = new Tensor(t.sp.param.data.slice(), t.sp.param.shape);
    const layerOptions = {
      method,
      pattern,
      ...(rows === null ? {} : { inputs: rows }),
      ...(options.blocksize === undefined ? {} : { blocksize: options.blocksize }),
      ...(options.percdamp === undefined ? {} : { percdamp: options.percdamp }),
    };
    const pruned = pruneLayer(weight, layerOptions);
    if (t.sp.pruned !== null) t.sp.pruned.data.set(weight.data.map((v, j) => (pruned.mask.data[j] === 0 ? v : 0)));
    t.sp.param.data.set(pruned.weight.data);
    t.sp.param.markModified();
    t.sp.mask.data.set(pruned.mask.data);
    t.sp.mask.markModified();
    const note =
      method === options.method
        ? null
        : t.magnitudeOnly !== null
          ? `${t.magnitudeOnly}: pruned by magnitude`
          : crossAttention
            ? 'attention with distinct query, key or value (not self-attention): pruned by magnitude'
            : 'the calibration batches never reached it: pruned by magnitude';
    const report: LayerPruneReport = {
      name: t.name,
      method,
      shape: [...weight.shape],
      rows: rows?.shape[0] ?? 0,
      reconstructionError: rows === null ? null : reconstructionError(weight, pruned.weight, rows),
      note,
    };
    reports.push(report);
    options.onLayer?.(report, i, order.length);
  });
  return { asp, layers: reports };
}
