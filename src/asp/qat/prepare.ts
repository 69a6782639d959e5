/**
 * Preparing a model for quantization-aware training, and calibrating it.
 *
 * `prepareQat(model, options)` changes the model in place: every Linear/Conv1d/2d/3d (subclasses
 * included) gets two child modules, `input_fake_quant` (per-tensor, observer) and
 * `weight_fake_quant` (per-channel), and its forward becomes
 *   layer(inputFakeQuant(x), weightFakeQuant(weight), bias).
 * The layer's `weight` and `bias` stay the same Parameter objects under the same names: the
 * optimizer trains the float master weights, ASP's mask buffers and optimizer hooks keep working,
 * and parameter keys of checkpoints line up (the fake-quant buffers add keys such as
 * `fc1.weight_fake_quant.scale`).
 *
 * ASP after QAT: masks computed on a prepared model come from the float master weights (the
 * parameter), exactly as without quantizers — quantization happens only inside forward. So
 * `computeSparseMasks` works on a QAT model and gives the masks the float model would get.
 *
 * Order: prune → sparse fine-tune → prepareQat → calibrate → QAT fine-tune keeps the masks: the
 * symmetric weight quantizer maps 0 to 0 and ASP's optimizer hook re-zeroes pruned weights.
 */
import { type AnyModule, type Module, type PrunableLayer, isPrunableLayer, prunableLayer } from '../../nn/index.js';
import type { Batch } from '../../nn/data/index.js';
import { type Tensor, conv1d, conv2d, conv3d, linear, noGrad } from '../../tensor/index.js';
import { QatError } from './errors.js';
import {
  type ActivationQuantOptions,
  ActivationFakeQuant,
  type WeightQuantOptions,
  WeightFakeQuant,
} from './observer.js';

export type QatLayerModule = PrunableLayer;

export interface QatLayer {
  readonly name: string;
  readonly module: QatLayerModule;
  readonly inputQuant: ActivationFakeQuant;
  readonly weightQuant: WeightFakeQuant;
}

export interface QatOptions {
  weight?: WeightQuantOptions;
  activation?: ActivationQuantOptions;
  /** Which layers to prepare (default: every Linear/Conv). */
  filter?: (name: string, module: QatLayerModule) => boolean;
}

const layers = new WeakMap<AnyModule, QatLayer>();

const isQatCandidate: (m: AnyModule) => m is AnyModule & QatLayerModule = isPrunableLayer;

function quantizedForward(l: QatLayer): (x: Tensor) => Tensor {
  const p = prunableLayer(l.module)!;
  return (x) => {
    const xq = l.inputQuant.call(x);
    const wq = l.weightQuant.call(p.layer.weight);
    if (p.kind === 'linear') return linear(xq, wq, p.layer.bias);
    const m = p.layer;
    const o = { stride: m.stride, padding: m.padding, dilation: m.dilation, groups: m.groups };
    if (p.kind === 'conv1d') return conv1d(xq, wq, m.bias, o);
    if (p.kind === 'conv2d') return conv2d(xq, wq, m.bias, o);
    return conv3d(xq, wq, m.bias, o);
  };
}

/** Attaches fake quantization to the model's Linear/Conv layers (see the top of this file). */
export function prepareQat(model: AnyModule, options: QatOptions = {}): QatLayer[] {
  const already = qatLayers(model);
  if (already.length > 0) {
    throw new QatError(
      `prepareQat: the model is already prepared for QAT (layers ${already.map((l) => l.name || '<root>').join(', ')})`,
    );
  }
  const out: QatLayer[] = [];
  for (const [name, m] of model.namedModules()) {
    if (!isQatCandidate(m) || (options.filter !== undefined && !options.filter(name, m))) continue;
    const inputQuant = m.registerModule('input_fake_quant', new ActivationFakeQuant(options.activation));
    const weightQuant = m.registerModule('weight_fake_quant', new WeightFakeQuant(m.weight.shape[0]!, options.weight));
    inputQuant.training = weightQuant.training = m.training;
    const layer: QatLayer = { name, module: m, inputQuant, weightQuant };
    m.forward = quantizedForward(layer);
    layers.set(m, layer);
    out.push(layer);
  }
  return out;
}

/** The prepared layers of a model, in tree order. */
export function qatLayers(model: AnyModule): QatLayer[] {
  return model.namedModules().flatMap(([name, m]) => {
    const l = layers.get(m);
    return l === undefined ? [] : [{ ...l, name }];
  });
}

/** Turns fake quantization on or off in every prepared layer (observers unaffected). */
export function setFakeQuant(model: AnyModule, enabled: boolean): void {
  for (const l of qatLayers(model)) l.inputQuant.fakeQuantEnabled = l.weightQuant.fakeQuantEnabled = enabled;
}

export interface CalibrateOptions {
  /** Keep the ranges observed so far instead of starting fresh (default false). */
  keepRanges?: boolean;
}

/**
 * Post-training calibration of the activation ranges: resets each input observer, then runs the
 * model in eval mode without gradients and WITHOUT fake quantization on up to `batches` batches
 * (so every layer sees float activations, as PyTorch's prepare → calibrate → convert), and
 * restores the modes afterwards. Returns the number of batches used. The model's forward takes one
 * tensor (a batch's `x`).
 */
export function calibrate(
  model: Module<[Tensor], unknown>,
  loader: Iterable<Batch | Tensor>,
  batches: number,
  opts: CalibrateOptions = {},
): number {
  const prepared = qatLayers(model);
  if (prepared.length === 0)
    throw new QatError('calibrate: the model has no fake-quantized layers; call prepareQat(model) first');
  if (!Number.isInteger(batches) || batches < 1)
    throw new QatError(`calibrate: batches must be a positive integer, got ${batches}`);
  const modes = model.modules().map((m) => [m, m.training] as const);
  const fq = prepared.map((l) => [l.inputQuant.fakeQuantEnabled, l.weightQuant.fakeQuantEnabled] as const);
  let seen = 0;
  try {
    model.eval();
    for (const l of prepared) {
      if (opts.keepRanges !== true) l.inputQuant.resetRange();
      l.inputQuant.calibrating = true;
    }
    setFakeQuant(model, false);
    noGrad(() => {
      for (const b of loader) {
        if (seen >= batches) break;
        model.call('x' in b && 'y' in b ? b.x : b);
        seen++;
      }
    });
  } finally {
    for (const [m, t] of modes) m.training = t;
    prepared.forEach((l, i) => {
      l.inputQuant.calibrating = false;
      [l.inputQuant.fakeQuantEnabled, l.weightQuant.fakeQuantEnabled] = fq[i]!;
    });
  }
  if (seen === 0) throw new QatError('calibrate: the loader yielded no batches');
  return seen;
}
