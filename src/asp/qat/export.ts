/**
 * Exporting a QAT model's int8 weights with their scales.
 *
 * Per prepared layer `<m>` (layer prepared with prepareQat):
 *   <m>.weight             I8, the layer's weight shape: q = quantize(float master weight)
 *   <m>.weight_scale       F32 [out]   <m>.weight_zero_point  I8 [out]   (per output channel)
 *   <m>.input_scale        F32 [1]     <m>.input_zero_point   I8 [1]     (once observed)
 * and, with `layout: 'cutlass-24'`, a 2-D weight that is 2:4 in the CUTLASS int8 shape (rows % 16,
 * cols % 64) is stored as `<m>.weight.cutlass_24_values` I8 + `<m>.weight.cutlass_24_meta` I32 (the
 * int8 CUTLASS layout, `toCutlass(…, 'int8')`) instead of `<m>.weight`. Every other state-dict
 * tensor is written as F32 (ASP masks as BOOL); the fake-quant buffers are replaced by the keys
 * above. Dequantized, (q − zero_point) · scale is exactly the eval-mode fake-quantized weight.
 *
 * This is sparse24's own int8 form (`quant_method: 'sparse24-qat'` in the safetensors metadata),
 * not compressed-tensors' `int-quantized` (its config_groups and stacked sparsity are not written).
 *
 * 2:4 and zero points: a symmetric quantizer stores a pruned 0 as q = 0, so a 2:4 float weight
 * gives 2:4 int8. An asymmetric one stores it as the zero point; where that is nonzero the int8
 * tensor is no longer 2:4 although its dequantized values are. `quantizeModel` reports this per
 * layer (`pattern24Broken`, with the reason), and the 'cutlass-24' layout refuses such a layer
 * with a QatError, since its integers cannot be stored 2:4.
 */
import { type StoredTensor, fromTensor, saveSafetensors } from '../../io/index.js';
import { type AnyModule, isMaskBufferKey, maskBufferName } from '../../nn/index.js';
import { compressWeight, isNM, toCutlass24 } from '../../sparse/index.js';
import { ShapeError, Tensor, joinName } from '../../tensor/index.js';
import { QatError } from './errors.js';
import { quantizeValues } from './fake_quant.js';
import { qatLayers } from './prepare.js';

export type QuantizedLayout = 'dense' | 'cutlass-24';

export interface QuantizedLayerReport {
  readonly name: string;
  readonly shape: readonly number[];
  readonly scheme: 'symmetric' | 'asymmetric';
  /** The float master weight is 2:4 along its input channels. */
  readonly floatIs24: boolean;
  /** The stored int8 weight is 2:4. */
  readonly int8Is24: boolean;
  /** Output channels whose weight zero point is not 0. */
  readonly nonzeroZeroPoints: number;
  /** floatIs24 but not int8Is24: the quantizer broke the pattern. */
  readonly pattern24Broken: boolean;
  /** How the weight is stored: 'int8' or 'int8-cutlass-24'. */
  readonly stored: 'int8' | 'int8-cutlass-24';
  readonly reason: string;
}

export interface QuantizedExport {
  readonly tensors: Map<string, StoredTensor>;
  readonly metadata: Record<string, string>;
  readonly layers: readonly QuantizedLayerReport[];
}

export interface QuantizedExportOptions {
  layout?: QuantizedLayout;
}

/** The int8 tensors, scales and per-layer report (see the top of this file). */
export function quantizeModel(model: AnyModule, opts: QuantizedExportOptions = {}): QuantizedExport {
  const layout = opts.layout ?? 'dense';
  const prepared = qatLayers(model);
  if (prepared.length === 0)
    throw new QatError('quantizeModel: the model has no fake-quantized layers; call prepareQat(model) first');
  const out = new Map<string, StoredTensor>();
  const replaced = new Set<string>();
  const reports: QuantizedLayerReport[] = [];
  for (const l of prepared) {
    const w = l.module.weight;
    const shape = [...w.shape];
    const p = l.weightQuant.params(w);
    const q = quantizeValues(w.data, shape, p);
    const qf = Float32Array.from(q);
    const floatIs24 = isNM(w.data, shape, 2, 4);
    const int8Is24 = isNM(qf, shape, 2, 4);
    const nonzeroZeroPoints = p.zeroPoint.filter((z) => z !== 0).length;
    const pattern24Broken = floatIs24 && !int8Is24;
    const key = joinName(l.name, 'weight');
    let reason = pattern24Broken
      ? `the float weight is 2:4 but the int8 weight is not: the ${l.weightQuant.scheme} weight quantizer has ${nonzeroZeroPoints} nonzero zero point(s), which is how it stores a pruned 0; use scheme 'symmetric'`
      : '';
    let stored: QuantizedLayerReport['stored'] = 'int8';
    if (layout === 'cutlass-24') {
      if (pattern24Broken) throw new QatError(`quantizeModel: layer '${l.name}': ${reason}`);
      if (shape.length !== 2)
        reason ||= `int8 cutlass-24 stores 2-D (Linear) weights; this rank-${shape.length} weight is stored dense`;
      else if (!int8Is24) reason ||= 'the int8 weight is not 2:4; stored dense';
      else {
        const maskBuf = l.module.getLocal(maskBufferName('weight'));
        const mask =
          maskBuf instanceof Tensor
            ? Uint8Array.from(maskBuf.data, (v) => (v !== 0 ? 1 : 0))
            : Uint8Array.from(q, (v) => (v !== 0 ? 1 : 0));
        try {
          const rec = toCutlass24(
            key,
            compressWeight(qf, mask, shape, 2, 4) as Parameters<typeof toCutlass24>[1],
            'int8',
          );
          for (const [k, v] of Object.entries(rec)) out.set(k, v as StoredTensor);
          stored = 'int8-cutlass-24';
        } catch (e) {
          if (!(e instanceof ShapeError)) throw e;
          reason ||= `${e.message}; stored dense`;
        }
      }
    }
    if (stored === 'int8') out.set(key, { dtype: 'I8', shape, data: Int8Array.from(q) });
    out.set(joinName(l.name, 'weight_scale'), { dtype: 'F32', shape: [shape[0]!], data: Float32Array.from(p.scale) });
    out.set(joinName(l.name, 'weight_zero_point'), {
      dtype: 'I8',
      shape: [shape[0]!],
      data: Int8Array.from(p.zeroPoint),
    });
    if (l.inputQuant.observed) {
      const a = l.inputQuant.params();
      out.set(joinName(l.name, 'input_scale'), { dtype: 'F32', shape: [1], data: Float32Array.from(a.scale) });
      out.set(joinName(l.name, 'input_zero_point'), { dtype: 'I8', shape: [1], data: Int8Array.from(a.zeroPoint) });
    }
    replaced.add(key);
    for (const sub of ['input_fake_quant', 'weight_fake_quant']) replaced.add(joinName(l.name, sub));
    reports.push({
      name: l.name,
      shape,
      scheme: l.weightQuant.scheme,
      floatIs24,
      int8Is24,
      nonzeroZeroPoints,
      pattern24Broken,
      stored,
      reason,
    });
  }
  const isReplaced = (k: string): boolean => replaced.has(k) || [...replaced].some((r) => k.startsWith(`${r}.`));
  for (const [k, t] of model.stateDict()) {
    if (isReplaced(k)) continue;
    out.set(
      k,
      isMaskBufferKey(k)
        ? { dtype: 'BOOL', shape: [...t.shape], data: Uint8Array.from(t.data, (v) => (v !== 0 ? 1 : 0)) }
        : fromTensor(t, 'F32'),
    );
  }
  const act = prepared[0]!.inputQuant;
  const metadata = {
    format: 'pt',
    quantization_config: JSON.stringify({
      quant_method: 'sparse24-qat',
      layout,
      weights: {
        num_bits: 8,
        type: 'int',
        strategy: 'channel',
        symmetric: prepared.every((l) => l.weightQuant.scheme === 'symmetric'),
      },
      input_activations: {
        num_bits: 8,
        type: 'int',
        strategy: 'tensor',
        symmetric: act.scheme === 'symmetric',
        observer: act.observer,
      },
      targets: prepared.map((l) => l.name),
    }),
  };
  return { tensors: out, metadata, layers: reports };
}

/** Writes `quantizeModel(model, opts)` to a safetensors file (atomically). */
export async function exportQuantized(
  model: AnyModule,
  path: string,
  opts: QuantizedExportOptions = {},
): Promise<QuantizedExport> {
  const result = quantizeModel(model, opts);
  await saveSafetensors(path, result.tensors, result.metadata);
  return result;
}
