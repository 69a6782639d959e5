/**
 * A pruned model as a compressed 2:4 checkpoint, and back (docs/formats.md §2, §3).
 *
 * `exportCompressed(model, path, {format})` stores every convertible Linear (see convert.ts:
 * ASP-masked, or a SparseLinear already) compressed:
 *   - 'sparse-24-bitmask' (default): compressed-tensors' format. `path` is a **folder** that gets
 *     `model.safetensors` (keys `<module>.compressed`, `<module>.bitmask`, `<module>.shape` I64
 *     [2, 1]; values float32 by default, lossless, or float16/bfloat16) and `config.json` with
 *     `quantization_config` (ct_config.ts). It loads with compressed-tensors <= 0.14.0.1.
 *   - 'cutlass-24': sparse24's own single safetensors file holding PyTorch's CUTLASS layout under
 *     `<module>.weight.cutlass_24_values` + `.cutlass_24_meta`, values float16 (default) or
 *     bfloat16 (rounded to nearest even: CUTLASS has no fp32 2:4 form). A Linear whose shape the
 *     layout cannot hold (rows % 32, cols % 32) is stored dense instead, with its mask.
 * Both formats store 2-D weights only, so masked Conv weights are stored dense (masked) with apex's
 * BOOL mask buffer `<module>.__weight_mma_mask` (an extra key compressed-tensors loads as dense).
 * Every other state-dict tensor is F32 under its own key; mask buffers of compressed layers are
 * left out (the compressed form holds the mask) and so is `__weight_mma_pruned_p`.
 *
 * `importCompressed(model, path)` loads either back into a model of the same architecture: dense
 * (ASP-prepared or not) or a sparse-inference model. `path` may be a compressed-tensors folder
 * (or its model.safetensors), including llm-compressor's (class-name targets, `re:` ignores:
 * a record on a module its config does not target is a FormatError), or a cutlass-24 file
 * (also the `sparse_24_packed_weight`/`meta` keys earlier sparse24 versions wrote). A compressed
 * weight is decompressed into a dense layer (and its mask buffer, if it has one, is set from the
 * stored pattern) or set as a SparseLinear's compressed weight. A `__weight_mma_pruned_p` buffer
 * the file lacks is zeroed. Keys must match as in a strict `loadStateDict` unless `strict: false`.
 *
 * Exactness: decompression returns the stored values, so with float32 bitmask values the weight
 * is bit-identical to the masked weight; with fp16/bf16 it is bit-identical to the masked weight
 * rounded to fp16/bf16 and widened back (`float16BitsToFloat32(float32ToFloat16Bits(w))`).
 */
import {
  type StoredTensor,
  FormatError,
  fromTensor,
  loadModelFolder,
  loadSafetensors,
  modelFolderOf,
  saveModelFolder,
  saveSafetensors,
  toTensor,
} from '../../io/index.js';
import { type AnyModule, Linear, maskBufferName, prunedBufferName } from '../../nn/index.js';
import {
  type Compressed24,
  type CompressedNM,
  type SparseStoredRecord,
  type SparsityConfig,
  compressWeight,
  compressedMask,
  decompress,
  fromView,
  parseSparsityConfig,
  quantizationConfigJson,
  toCutlass24,
  toSparse24Bitmask,
} from '../../sparse/index.js';
import { ShapeError, Tensor, ValueError, joinName } from '../../tensor/index.js';
import { checkTargeted, findCompressed } from './compressed_records.js';
import { compressLayer, isDenseLayer, isSparseLayer, planSparseInference } from './convert.js';
import { SparseLinear } from './modules.js';

export type CompressedFormat = 'cutlass-24' | 'sparse-24-bitmask';
export const COMPRESSED_FORMATS: readonly CompressedFormat[] = ['sparse-24-bitmask', 'cutlass-24'];

export interface ExportCompressedOptions {
  /** 'sparse-24-bitmask' (default: a compressed-tensors folder) or 'cutlass-24' (one sparse24 file). */
  format?: CompressedFormat;
  /** Value dtype: cutlass-24 'float16' (default) or 'bfloat16'; bitmask also 'float32' (its default). */
  dtype?: 'float32' | 'float16' | 'bfloat16';
  /** Extra safetensors metadata strings (compressed-tensors reads none: its config is config.json). */
  metadata?: Record<string, string>;
}

export interface CompressedExport {
  readonly format: CompressedFormat;
  readonly tensors: Map<string, StoredTensor>;
  readonly metadata: Record<string, string>;
  /** config.json's `quantization_config` (sparse-24-bitmask), or null (cutlass-24 has no config.json). */
  readonly quantizationConfig: Record<string, unknown> | null;
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
      "exportCompressed: cutlass-24 (the CUTLASS layout) holds float16 or bfloat16 values, not float32; use dtype 'float16' or 'bfloat16', or format 'sparse-24-bitmask'",
    );
  try {
    return toCutlass24(param, c, dtype);
  } catch (e) {
    if (e instanceof ShapeError) return e.message;
    throw e;
  }
}

function checkFormat(format: unknown): CompressedFormat {
  if (format === 'sparse-24')
    throw new ValueError(
      "exportCompressed: format 'sparse-24' is now 'cutlass-24' (sparse24's own name for the CUTLASS layout; " +
        "compressed-tensors never had a 'sparse-24' format). For compressed-tensors use 'sparse-24-bitmask'",
    );
  if (!COMPRESSED_FORMATS.includes(format as CompressedFormat))
    throw new ValueError(
      `exportCompressed: unknown format '${String(format)}'; expected ${COMPRESSED_FORMATS.map((f) => `'${f}'`).join(' or ')}`,
    );
  return format as CompressedFormat;
}

/** The tensors and configuration `exportCompressed` writes (see the top of this file). */
export function compressedStateDict(model: AnyModule, opts: ExportCompressedOptions = {}): CompressedExport {
  const format = checkFormat(opts.format ?? 'sparse-24-bitmask');
  const dtype = opts.dtype ?? (format === 'cutlass-24' ? 'float16' : 'float32');
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
  const metadata: Record<string, string> = {
    format: 'pt',
    ...(format === 'cutlass-24' ? { sparse24_format: 'cutlass-24' } : {}),
    ...opts.metadata,
  };
  const quantizationConfig =
    format === 'sparse-24-bitmask'
      ? quantizationConfigJson({
          targets: compressed,
          ignore: dense.map((d) => d.name),
          globalSparsity: total === 0 ? 0 : zeros / total,
        })
      : null;
  return { format, tensors: out, metadata, quantizationConfig, compressed, dense };
}

/**
 * Writes `compressedStateDict(model, opts)`: for sparse-24-bitmask `path` is a folder that gets
 * model.safetensors and config.json; for cutlass-24 it is one safetensors file. Every file is
 * written atomically; `files` lists what was written.
 */
export async function exportCompressed(
  model: AnyModule,
  path: string,
  opts: ExportCompressedOptions = {},
): Promise<CompressedExport & { readonly files: readonly string[] }> {
  const result = compressedStateDict(model, opts);
  if (result.quantizationConfig === null) {
    await saveSafetensors(path, result.tensors, result.metadata);
    return { ...result, files: [path] };
  }
  const written = await saveModelFolder(path, result.tensors, result.metadata, {
    quantization_config: result.quantizationConfig,
  });
  return { ...result, files: [written.weights, written.config] };
}

/** The compressed weight stored for `param` (`<module>.weight`) in any form sparse24 reads, or null. */
export function readCompressedWeight(tensors: ReadonlyMap<string, StoredTensor>, param: string): Compressed24 | null {
  return findCompressed(tensors, param, '<tensors>', true)?.weight ?? null;
}

export interface ImportCompressedOptions {
  /** Every model key must be in the file and every file key used (default true). */
  strict?: boolean;
}

/** Where the tensors came from, for `loadCompressedStateDict`'s errors and target checks. */
export interface CompressedSource {
  /** The weights file (named in FormatErrors). */
  readonly file: string;
  /** A compressed-tensors folder's parsed sparsity config and its config.json path. */
  readonly config?: { readonly sparsity: SparsityConfig; readonly file: string };
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
  source: CompressedSource = { file: '<tensors>' },
): CompressedImport {
  const used = new Set<string>();
  const sd = new Map<string, Tensor>();
  const decompressed: string[] = [];
  for (const [name, m] of model.namedModules()) {
    if (!isDenseLayer(m) && !isSparseLayer(m)) continue;
    const param = joinName(name, 'weight');
    const found = findCompressed(tensors, param, source.file, source.config === undefined);
    if (found === null) {
      if (isSparseLayer(m)) {
        // A sparse Conv is stored dense with its mask (neither format has a Conv form).
        const w = tensors.get(param);
        const mask = tensors.get(joinName(name, maskBufferName('weight')));
        if (w === undefined || mask === undefined) {
          throw new ValueError(
            `importCompressed: '${name}' is a sparse layer but ${source.file} holds neither a compressed ${param} nor ${param} with its mask`,
          );
        }
        m.setWeight(compressWeight(toTensor(w).data, Uint8Array.from(toTensor(mask).data), w.shape, 2, 4));
        used.add(param).add(joinName(name, maskBufferName('weight')));
        decompressed.push(name);
      }
      continue;
    }
    if (source.config !== undefined && found.format === 'sparse-24-bitmask')
      checkTargeted(source.config.sparsity, source.config.file, name, m, found.keys);
    if (tensors.has(param))
      throw new FormatError(
        source.file,
        `'${param}' is stored both dense and compressed (${found.keys.join(', ')}); expected one of the two`,
      );
    const c = found.weight;
    for (const k of found.keys) used.add(k);
    decompressed.push(name);
    if (m instanceof SparseLinear) {
      if (m.inFeatures !== c.cols || m.outFeatures !== c.rows)
        throw new ShapeError(
          `importCompressed: ${param} is [${c.rows}, ${c.cols}] in ${source.file} but [${m.outFeatures}, ${m.inFeatures}] in the model`,
        );
      m.setWeight(c);
      continue;
    }
    if (!(m instanceof Linear))
      throw new ShapeError(
        `importCompressed: ${param} is stored as a compressed 2-D matrix in ${source.file} but '${name}' is not a Linear layer`,
      );
    if (m.weight.shape[0] !== c.rows || m.weight.shape[1] !== c.cols) {
      throw new ShapeError(
        `importCompressed: ${param} is [${c.rows}, ${c.cols}] in ${source.file} but [${m.weight.shape.join(', ')}] in the model`,
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
      `importCompressed: ${source.file} has keys the model does not: ${unexpectedKeys.join(', ')} (pass strict: false to ignore them)`,
    );
  }
  const { missingKeys } = model.loadStateDict(sd, { strict });
  return { decompressed, missingKeys, unexpectedKeys };
}

/**
 * Reads a compressed checkpoint into `model` (see the top of this file): a compressed-tensors
 * folder (or its model.safetensors beside a config.json), or a single cutlass-24 file.
 */
export async function importCompressed(
  model: AnyModule,
  path: string,
  opts: ImportCompressedOptions = {},
): Promise<CompressedImport> {
  const dir = await modelFolderOf(path);
  if (dir === null) {
    const file = await loadSafetensors(path);
    return loadCompressedStateDict(model, file.tensors, opts, { file: path });
  }
  const folder = await loadModelFolder(dir);
  const sparsity = parseSparsityConfig(folder.configFile, folder.config);
  return loadCompressedStateDict(model, folder.weights.tensors, opts, {
    file: folder.weightsFile,
    config: { sparsity, file: folder.configFile },
  });
}
