/**
 * Dense ⇄ compressed inference models.
 *
 * `toSparseInference(model)` returns a NEW model (a deep copy; the original is left untouched)
 * in which every convertible Linear/Conv1d/2d/3d is replaced, under the same name and at the same
 * place in the tree, by a SparseLinear/SparseConvNd holding its weight compressed 2:4 and running
 * the sparse kernels. Every other layer, and each converted layer's bias, is copied as is. The
 * result is put in eval mode: the sparse layers are inference-only.
 *
 * Which layers convert (`planSparseInference` tells, layer by layer):
 * - a Linear/Conv (or subclass) with ASP's mask buffer `__weight_mma_mask` whose mask prunes
 *   something and keeps at most 2 of every 4 input channels: compressed from the weight AND that
 *   mask, so a kept weight that is zero stays kept and the stored pattern is exactly the mask;
 * - with `fromWeights: true`, also a layer without a mask whose weight is already 2:4 along its
 *   input channels (the mask is then the nonzero pattern);
 * - anything else stays dense, with the reason in the plan (`strict: true` turns a masked layer
 *   that cannot convert into an error).
 *
 * A model prepared for QAT (`prepareQat`) is refused with a QatError naming its first prepared
 * layer: the sparse layers run float kernels on float weights, so the copy would silently drop the
 * fake quantization (and the model's quantized function). Export it with `exportQuantized` (its
 * 'cutlass-24' layout stores 2:4 int8 weights), or convert before `prepareQat`.
 *
 * `fromSparseInference(model)` goes back: a new model whose sparse layers are dense Linear/Conv
 * layers holding the decompressed weight and the mask as `__weight_mma_mask` (float 0/1), ready
 * for `ASP.initModelForPruning` or a checkpoint. `__weight_mma_pruned_p` is not restored (the
 * compressed form does not hold the pruned values), and a pruned weight that was -0 comes back
 * as +0 (equal as numbers; the compressed form stores no pruned bits).
 */
import {
  type AnyModule,
  Conv1d,
  Conv2d,
  Conv3d,
  Linear,
  type PrunableLayer,
  isPrunableLayer,
  maskBufferName,
  prunableLayer,
} from '../../nn/index.js';
import {
  type CompressedNM,
  compressWeight,
  compressedMask,
  decompress,
  decompressWeight,
  fromView,
  isNM,
} from '../../sparse/index.js';
import { MT19937, Tensor, ValueError } from '../../tensor/index.js';
import { QatError } from '../qat/errors.js';
import { qatLayers } from '../qat/prepare.js';
import { cloneModule } from './clone.js';
import { SparseConv1d, SparseConv2d, SparseConv3d, SparseConvNd, SparseLinear } from './modules.js';

export type DenseLayer = PrunableLayer;
export type SparseLayer = SparseLinear | SparseConvNd;

export interface SparseInferenceOptions {
  /** Also convert layers without an ASP mask whose weight is already 2:4 (default false). */
  fromWeights?: boolean;
  /** Throw when a layer with an ASP mask cannot be converted (default false: keep it dense). */
  strict?: boolean;
}

/** What `toSparseInference` does with one Linear/Conv layer. */
export interface LayerPlan {
  readonly name: string;
  readonly convert: boolean;
  /** Why it stays dense (empty when it converts). */
  readonly reason: string;
  /** The 0/1 mask it is compressed with (null when it stays dense). */
  readonly mask: Uint8Array | null;
}

export const isDenseLayer: (m: AnyModule) => m is AnyModule & DenseLayer = isPrunableLayer;

export function isSparseLayer(m: AnyModule): m is AnyModule & SparseLayer {
  return m instanceof SparseLinear || m instanceof SparseConvNd;
}

/** The layer's ASP mask as 0/1 bytes, or null when it has none. */
export function layerMask(m: DenseLayer): Uint8Array | null {
  const buf = m.getLocal(maskBufferName('weight'));
  if (!(buf instanceof Tensor)) return null;
  return Uint8Array.from(buf.data, (v) => (v !== 0 ? 1 : 0));
}

/** Whether a 0/1 mask (in the weight's layout) keeps at most 2 of every 4 input channels. */
function is24Mask(mask: Uint8Array, shape: readonly number[]): boolean {
  return isNM(mask, shape, 2, 4);
}

function planLayer(name: string, m: DenseLayer, opts: SparseInferenceOptions): LayerPlan {
  const shape = m.weight.shape;
  const mask = layerMask(m);
  const dense = (reason: string): LayerPlan => {
    if (opts.strict === true && mask !== null)
      throw new ValueError(`toSparseInference: layer '${name}' has an ASP mask but ${reason}`);
    return { name, convert: false, reason, mask: null };
  };
  if (shape[1]! % 4 !== 0) return dense(`its ${shape[1]} input channels (per group) do not split into groups of 4`);
  if (mask !== null) {
    if (mask.every((v) => v === 1)) return dense('its mask is all ones (call computeSparseMasks first)');
    if (!is24Mask(mask, shape))
      return dense('its mask keeps more than 2 of 4 input channels somewhere (not a 2:4 mask)');
    return { name, convert: true, reason: '', mask };
  }
  if (opts.fromWeights !== true)
    return dense('it has no ASP mask (pass fromWeights: true to convert weights that are already 2:4)');
  if (!isNM(m.weight.data, shape, 2, 4)) return dense('it has no ASP mask and its weight is not 2:4');
  return { name, convert: true, reason: '', mask: Uint8Array.from(m.weight.data, (v) => (v !== 0 ? 1 : 0)) };
}

/** What `toSparseInference` would do with each Linear/Conv layer, in tree order. */
export function planSparseInference(model: AnyModule, opts: SparseInferenceOptions = {}): LayerPlan[] {
  return model.namedModules().flatMap(([name, m]) => (isDenseLayer(m) ? [planLayer(name, m, opts)] : []));
}

/** The compressed 2:4 weight of a dense layer under `mask`. */
export function compressLayer(m: DenseLayer, mask: Uint8Array): CompressedNM {
  return compressWeight(m.weight.data, mask, m.weight.shape, 2, 4);
}

/** The sparse layer for a dense one with its compressed weight. */
export function sparseLayerFor(m: DenseLayer, weight: CompressedNM): SparseLayer {
  const p = prunableLayer(m)!;
  switch (p.kind) {
    case 'linear':
      return SparseLinear.fromLinear(p.layer, weight);
    case 'conv1d':
      return new SparseConv1d(p.layer, weight);
    case 'conv2d':
      return new SparseConv2d(p.layer, weight);
    case 'conv3d':
      return new SparseConv3d(p.layer, weight);
  }
}

/** A new model with the convertible layers compressed (see the top of this file). */
export function toSparseInference<M extends AnyModule>(model: M, opts: SparseInferenceOptions = {}): M {
  const quantized = qatLayers(model);
  if (quantized.length > 0) {
    const first = quantized[0]!.name === '' ? '<root>' : quantized[0]!.name;
    throw new QatError(
      `toSparseInference: layer '${first}' is prepared for QAT (${quantized.length} fake-quantized layer(s)); ` +
        'the sparse layers run float kernels and would drop its fake quantization. Export the quantized model ' +
        "with exportQuantized (layout 'cutlass-24' for 2:4 int8 weights), or call toSparseInference before prepareQat",
    );
  }
  const plans = new Map(planSparseInference(model, opts).map((p) => [p.name, p]));
  const out = cloneModule(model, (m, name) => {
    const plan = plans.get(name);
    if (plan === undefined || !plan.convert || !isDenseLayer(m)) return undefined;
    const layer = sparseLayerFor(m, compressLayer(m, plan.mask!));
    layer.training = false;
    return layer;
  });
  return out.eval();
}

/** The dense layer (decompressed weight, mask buffer) equivalent to a sparse one. */
export function denseLayerFor(m: SparseLayer): DenseLayer {
  // A throwaway generator: building a layer initialises its weights, which must not advance the global stream.
  const generator = new MT19937(0);
  const hasBias = m.bias !== null;
  let layer: DenseLayer;
  if (m instanceof SparseLinear) layer = new Linear(m.inFeatures, m.outFeatures, { bias: hasBias, generator });
  else {
    const o = {
      stride: m.stride,
      padding: m.padding,
      dilation: m.dilation,
      groups: m.groups,
      bias: hasBias,
      generator,
    };
    layer =
      m.dims === 1
        ? new Conv1d(m.inChannels, m.outChannels, m.kernelSize, o)
        : m.dims === 2
          ? new Conv2d(m.inChannels, m.outChannels, m.kernelSize, o)
          : new Conv3d(m.inChannels, m.outChannels, m.kernelSize, o);
  }
  // A plain [rows][cols] matrix (compressNM) is already a Linear weight's layout.
  const w = m.weight.weightShape === null ? decompress(m.weight) : decompressWeight(m.weight);
  layer.weight.data.set(w);
  layer.weight.markModified();
  if (m.bias !== null) layer.bias!.data.set(m.bias.data);
  const mask =
    m.weight.weightShape === null ? compressedMask(m.weight) : fromView(compressedMask(m.weight), m.weight.weightShape);
  layer.registerBuffer(maskBufferName('weight'), new Tensor(Float32Array.from(mask), layer.weight.shape), true);
  layer.training = m.training;
  return layer;
}

/** A new model with every sparse layer back as a dense, masked Linear/Conv (see the top of this file). */
export function fromSparseInference<M extends AnyModule>(model: M): M {
  return cloneModule(model, (m) => (isSparseLayer(m) ? denseLayerFor(m) : undefined));
}
