/**
 * A pruned model as a compressed-tensors checkpoint, and back.
 *
 * `exportCompressed(model, path, {format})` writes a safetensors file in which every convertible
 * Linear (see convert.ts: ASP-masked, or a SparseLinear already) is stored in the chosen
 * compressed-tensors form under `<module>.weight`:
 *   - 'sparse-24': `<module>.weight.sparse_24_packed_weight` + `.meta` (the CUTLASS layout), values
 *     in float16 (default) or bfloat16 — CUTLASS has no fp32 form, so the values are rounded to
 *     nearest-even fp16/bf16. A Linear whose shape the CUTLASS layout cannot hold (rows % 32,
 *     cols % 32 for fp16/bf16) is stored dense instead, with its mask;
 *   - 'sparse-24-bitmask': `<module>.weight.compressed`, `.bitmask`, `.shape`, values in float32
 *     (default: lossless), float16 or bfloat16.
 * compressed-tensors stores 2-D weights only, so masked Conv weights are stored dense (masked)
 * with their mask as apex's BOOL buffer `<module>.__weight_mma_mask`. Every other tensor of the
 * state dict is written as F32 under its own key; mask buffers of compressed layers are left out
 * (the compressed form holds the mask) and so is `__weight_mma_pruned_p`. The metadata carries
 * compressed-tensors' `sparsity_config` (targets, ignore, global_sparsity).
 *
 * `importCompressed(model, path)` loads such a file into a model of the same architecture: dense
 * (ASP-prepared or not) or a sparse-inference model. A compressed weight is decompressed into a
 * dense layer (and its mask buffer, if it has one, is set from the stored pattern) or set as a
 * SparseLinear's compressed weight. A `__weight_mma_pruned_p` buffer the file lacks is zeroed.
 * Keys must match as in a strict `loadStateDict` unless `strict: false`.
 *
 * Exactness: decompression returns the stored values, so with float32 bitmask values the weight
 * is bit-identical to the masked weight; with fp16/bf16 it is bit-identical to the masked weight
 * rounded to fp16/bf16 and widened back (`float16BitsToFloat32(float32ToFloat16Bits(w))`).
 */
import { type StoredTensor, fromTensor, loadSafetensors, saveSafetensors, toTensor } from '../../io/index.js';
import { type AnyModule, Linear, maskBufferName, prunedBufferName } from '../../nn/index.js';
import {
  type Compressed24,
  type CompressedNM,
  type SparseStoredRecord,
  compressWeight,
  compressedMask,
  decompress,
  fromSparse24,
  fromSparse24Bitmask,
  fromView,
  toSparse24,
  toSparse24Bitmask,
} from '../../sparse/index.js';
import { ShapeError, Tensor, ValueError, joinName } from '../../tensor/index.js';
import { compressLayer, isDenseLayer, isSparseLayer, planSparseInference } from './convert.js';
import { SparseLinear } from './modules.js';

export type CompressedFormat = 'sparse-24' | 'sparse-24-bitmask';

export interface ExportCompressedOptions {
  format?: CompressedFormat;
  /** Value dtype: sparse-24 'float16' (default) or 'bfloat16'; bitmask also 'float32' (its default). */
  dtype?: 'float32' | 'float16' | 'bfloat16';
  /** Extra metadata strings. */
  metadata?: Record<string, string>;
}

export interface CompressedExport {
  readonly tensors: Map<string, StoredTensor>;
  readonly metadata: Record<string, string>;
  /** Modules stored compressed. */
  readonly compressed: readonly string[];
  /** Masked modules stored dense, with why. */
  readonly dense: readonly { readonly name: string; readonly reason: string }[];
}

function record(
  param: string,
  c: Compressed24,
  format: CompressedFormat,
  dtype: 'float32' | 'float16' | 'bfloat16',
): SparseStoredRecord | string {
  if (format === 'sparse-24-bitmask') return toSparse24Bitmask(param, c, dtype);
  if (dtype === 'float32')
    throw new ValueError(
      "exportCompressed: sparse-24 (the CUTLASS layout) holds float16 or bfloat16 values, not float32; use dtype 'float16' or 'bfloat16', or format 'sparse-24-bitmask'",
    );
  try {
    return toSparse24(param, c, dtype);
  } catch (e) {
    if (e instanceof ShapeError) return e.message;
    throw e;
  }
}

/** The tensors and metadata `exportCompressed` writes (see the top of this file). */
export function compressedStateDict(model: AnyModule, opts: ExportCompressedOptions = {}): CompressedExport {
  const format = opts.format ?? 'sparse-24';
  if (format !== 'sparse-24' && format !== 'sparse-24-bitmask') {
    throw new ValueError(
      `exportCompressed: unknown format '${String(format)}'; expected 'sparse-24' or 'sparse-24-bitmask'`,
    );
  }
  const dtype = opts.dtype ?? (format === 'sparse-24' ? 'float16' : 'float32');
  const plans = new Map(planSparseInference(model).map((p) => [p.name, p]));
  const out = new Map<string, StoredTensor>();
  const compressed: string[] = [];
  const dense: { name: string; reason: string }[] = [];
  const skip = new Set<string>();
  let zeros = 0;
  let total = 0;
  const modules = model.namedModules();
  for (const [name, m] of modules) {
    let c: CompressedNM | null = null;
    let maskInView: Uint8Array | null = null;
    if (isSparseLayer(m)) c = m.weight;
    else if (isDenseLayer(m)) {
      const plan = plans.get(name);
      if (plan?.convert === true) c = compressLayer(m, plan.mask!);
    }
    if (c === null) continue;
    maskInView = compressedMask(c);
    const param = joinName(name, 'weight');
    skip.add(joinName(name, maskBufferName('weight'))).add(joinName(name, prunedBufferName('weight')));
    const is2d = c.weightShape === null || c.weightShape.length === 2;
    const rec = is2d
      ? record(param, c as Compressed24, format, dtype)
      : `${format} stores 2-D (Linear) weights; a rank-${c.weightShape!.length} weight is kept dense`;
    if (typeof rec !== 'string') {
      for (const [k, v] of Object.entries(rec)) out.set(k, v as StoredTensor);
      compressed.push(name);
      skip.add(param);
      for (const bit of maskInView) if (bit === 0) zeros++;
      total += maskInView.length;
      continue;
    }
    dense.push({ name, reason: rec });
    const shape = c.weightShape ?? [c.rows, c.cols];
    const inLayout = c.weightShape === null ? maskInView : fromView(maskInView, c.weightShape);
    const w = c.weightShape === null ? decompress(c) : fromView(decompress(c), c.weightShape);
    out.set(param, { dtype: 'F32', shape: [...shape], data: w });
    out.set(joinName(name, maskBufferName('weight')), { dtype: 'BOOL', shape: [...shape], data: inLayout });
  }
  for (const [k, t] of model.stateDict()) if (!skip.has(k) && !out.has(k)) out.set(k, fromTensor(t, 'F32'));
  const sparsityConfig = {
    format,
    sparsity_structure: '2:4',
    targets: compressed,
    ignore: dense.map((d) => d.name),
    global_sparsity: total === 0 ? 0 : zeros / total,
    registry_requires_subclass: false,
  };
  const metadata: Record<string, string> = {
    format: 'pt',
    ...opts.metadata,
    sparsity_config: JSON.stringify(sparsityConfig),
    quantization_config: JSON.stringify({ quant_method: 'compressed-tensors', sparsity_config: sparsityConfig }),
  };
  return { tensors: out, metadata, compressed, dense };
}

/** Writes `compressedStateDict(model, opts)` to `path` (atomically). */
export async function exportCompressed(
  model: AnyModule,
  path: string,
  opts: ExportCompressedOptions = {},
): Promise<CompressedExport> {
  const result = compressedStateDict(model, opts);
  await saveSafetensors(path, result.tensors, result.metadata);
  return result;
}

/** The compressed weight stored for `param`, or null when the file holds none. */
export function readCompressedWeight(tensors: ReadonlyMap<string, StoredTensor>, param: string): Compressed24 | null {
  const rec = (keys: string[]): SparseStoredRecord =>
    Object.fromEntries(keys.map((k) => [`${param}.${k}`, tensors.get(`${param}.${k}`) as SparseStoredRecord[string]]));
  if (tensors.has(`${param}.sparse_24_packed_weight`))
    return fromSparse24(param, rec(['sparse_24_packed_weight', 'meta']));
  if (tensors.has(`${param}.bitmask`)) return fromSparse24Bitmask(param, rec(['compressed', 'bitmask', 'shape']));
  return null;
}

export interface ImportCompressedOptions {
  /** Every model key must be in the file and every file key used (default true). */
  strict?: boolean;
}

export interface CompressedImport {
  /** Modules whose weight came from a compressed form. */
  readonly decompressed: readonly string[];
  readonly missingKeys: readonly string[];
  readonly unexpectedKeys: readonly string[];
}

/** Loads tensors (as `compressedStateDict` lays them out) into `model` in place. */
export function loadCompressedStateDict(
  model: AnyModule,
  tensors: ReadonlyMap<string, StoredTensor>,
  opts: ImportCompressedOptions = {},
): CompressedImport {
  const used = new Set<string>();
  const sd = new Map<string, Tensor>();
  const decompressed: string[] = [];
  const compressedKeys = (param: string): string[] =>
    ['sparse_24_packed_weight', 'meta', 'compressed', 'bitmask', 'shape']
      .map((k) => `${param}.${k}`)
      .filter((k) => tensors.has(k));
  for (const [name, m] of model.namedModules()) {
    if (!isDenseLayer(m) && !isSparseLayer(m)) continue;
    const param = joinName(name, 'weight');
    const c = readCompressedWeight(tensors, param);
    if (c === null) {
      if (isSparseLayer(m)) {
        // A sparse Conv is stored dense with its mask (compressed-tensors has no Conv form).
        const w = tensors.get(param);
        const mask = tensors.get(joinName(name, maskBufferName('weight')));
        if (w === undefined || mask === undefined) {
          throw new ValueError(
            `importCompressed: '${name}' is a sparse layer but the file holds neither a compressed ${param} nor ${param} with its mask`,
          );
        }
        m.setWeight(compressWeight(toTensor(w).data, Uint8Array.from(toTensor(mask).data), w.shape, 2, 4));
        used.add(param).add(joinName(name, maskBufferName('weight')));
        decompressed.push(name);
      }
      continue;
    }
    for (const k of compressedKeys(param)) used.add(k);
    decompressed.push(name);
    if (m instanceof SparseLinear) {
      m.setWeight(c);
      continue;
    }
    if (!(m instanceof Linear))
      throw new ShapeError(
        `importCompressed: ${param} is stored as a compressed 2-D matrix but '${name}' is not a Linear layer`,
      );
    if (m.weight.shape[0] !== c.rows || m.weight.shape[1] !== c.cols) {
      throw new ShapeError(
        `importCompressed: ${param} is [${c.rows}, ${c.cols}] in the file but [${m.weight.shape.join(', ')}] in the model`,
      );
    }
    sd.set(param, new Tensor(decompress(c), m.weight.shape));
    const maskKey = joinName(name, maskBufferName('weight'));
    if (m.getLocal(maskBufferName('weight')) instanceof Tensor)
      sd.set(maskKey, new Tensor(Float32Array.from(compressedMask(c)), m.weight.shape));
  }
  const own = model.stateTensors();
  for (const [k, t] of tensors) {
    if (used.has(k) || sd.has(k)) continue;
    if (own.has(k)) {
      sd.set(k, toTensor(t));
      used.add(k);
    }
  }
  for (const [k, t] of own)
    if (!sd.has(k) && k.endsWith(`.${prunedBufferName('weight')}`))
      sd.set(k, new Tensor(new Float32Array(t.size), t.shape));
  const unexpectedKeys = [...tensors.keys()].filter((k) => !used.has(k));
  const strict = opts.strict ?? true;
  if (strict && unexpectedKeys.length > 0) {
    throw new ValueError(
      `importCompressed: the file has keys the model does not: ${unexpectedKeys.join(', ')} (pass strict: false to ignore them)`,
    );
  }
  const { missingKeys } = model.loadStateDict(sd, { strict });
  return { decompressed, missingKeys, unexpectedKeys };
}

/** Reads a compressed-tensors safetensors file into `model` (see the top of this file). */
export async function importCompressed(
  model: AnyModule,
  path: string,
  opts: ImportCompressedOptions = {},
): Promise<CompressedImport> {
  const file = await loadSafetensors(path);
  return loadCompressedStateDict(model, file.tensors, opts);
}
