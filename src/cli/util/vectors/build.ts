/**
 * Builds the oracle test vectors in memory: per case one safetensors file (weight, bias, masks,
 * compressed forms, layer inputs and expected outputs) and a manifest that says what each tensor
 * is, which function produced it and how closely another implementation must match it.
 * Everything is a pure function of the seed, so two runs give identical bytes.
 */
import type { StoredTensor } from '../../../io/index.js';
import {
  type Compressed24,
  compressWeight,
  createMask,
  patternNM,
  toCutlass,
  toCutlass24,
  toSparse24Bitmask,
  toView,
  viewDims,
} from '../../../sparse/index.js';
import { Tensor, conv1d, conv2d, conv3d, linear, matmul, noGrad } from '../../../tensor/index.js';
import { MT19937 } from '../../../tensor/random.js';
import { VECTOR_CASES, type VectorCase, caseWeight, halfValues } from './cases.js';

export const VECTOR_PATTERNS = ['m4n2_1d', 'm4n2_2d_best', 'm4n2_2d_greedy', '1:4', '2:8', '4:8'] as const;
/** The 2:4 masks that get compressed-format exports. */
export const COMPRESSED_PATTERNS = ['m4n2_1d', 'm4n2_2d_best', 'm4n2_2d_greedy'] as const;
/** Dense float32 reference vs any other summation order. */
export const OUTPUT_TOLERANCE = { rtol: 1e-4, atol: 1e-5 } as const;

export type Tolerance = 'exact' | { readonly rtol: number; readonly atol: number };

export interface ManifestTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly role: string;
  readonly pattern: string | null;
  readonly producer: string;
  readonly tolerance: Tolerance;
}

export interface ManifestFile {
  readonly file: string;
  readonly case: string;
  readonly layer: VectorCase['layer'];
  readonly weightShape: readonly number[];
  /** The 2-D mask view [rows, cols] that masks and compressed forms are defined on. */
  readonly view: readonly [number, number];
  readonly conv: { readonly stride: number; readonly padding: number; readonly dilation: 1; readonly groups: 1 } | null;
  readonly tensors: readonly ManifestTensor[];
  /** Patterns or formats this shape does not allow, and why. */
  readonly skipped: readonly { readonly what: string; readonly reason: string }[];
}

export interface Manifest {
  readonly format: 'sparse24-oracle-vectors';
  readonly version: 1;
  readonly seed: number;
  readonly conventions: readonly string[];
  readonly files: readonly ManifestFile[];
}

export interface VectorSet {
  readonly manifest: Manifest;
  /** File name → tensors, in manifest order. */
  readonly files: Map<string, Map<string, StoredTensor>>;
}

const CONVENTIONS = [
  'Masks are 0/1 BOOL tensors in the weight layout; groups of M run along the input channels (dim 1) of the 2-D mask view.',
  'The 2-D view: Linear (K,C); Conv1d (K,C,R) -> rows k*R+r; Conv2d (K,C,R,S) -> rows (r*S+s)*K+k; Conv3d (K,C,T,R,S) -> rows ((t*R+r)*S+s)*K+k.',
  'Weights lie on the float16 grid, so fp16 exports are lossless; nm.* and compressed forms are over the 2-D view.',
  'masked.<pattern> = weight * mask; expected outputs use the dense float32 ops on masked.m4n2_1d.',
  "cutlass-24 is sparse24's own key naming for the CUTLASS layout (<param>.cutlass_24_values, <param>.cutlass_24_meta); sparse-24-bitmask is compressed-tensors' (<module>.compressed, .bitmask (packbits little), .shape I64 [2,1]).",
];

class FileBuilder {
  readonly tensors = new Map<string, StoredTensor>();
  readonly entries: ManifestTensor[] = [];
  add(
    name: string,
    t: StoredTensor,
    role: string,
    pattern: string | null,
    producer: string,
    tolerance: Tolerance = 'exact',
  ): void {
    this.tensors.set(name, t);
    this.entries.push({ name, dtype: t.dtype, shape: [...t.shape], role, pattern, producer, tolerance });
  }
  addRecord(record: Record<string, StoredTensor>, role: string, pattern: string, producer: string): void {
    for (const [k, v] of Object.entries(record)) this.add(k, v, role, pattern, producer);
  }
}

const f32 = (shape: readonly number[], data: Float32Array): StoredTensor => ({ dtype: 'F32', shape: [...shape], data });

function buildCase(c: VectorCase, g: MT19937): { tensors: Map<string, StoredTensor>; file: ManifestFile } {
  const b = new FileBuilder();
  const skipped: { what: string; reason: string }[] = [];
  const { rows, cols } = viewDims(c.shape);
  const weight = caseWeight(c, g);
  const bias = halfValues(c.shape[0]!, g);
  b.add('weight', f32(c.shape, weight), 'dense weight (ties and zeros planted)', null, 'sparse24 vectors: caseWeight');
  b.add('bias', f32([c.shape[0]!], bias), 'bias of the layer', null, 'sparse24 vectors: halfValues');

  const masks = new Map<string, Uint8Array>();
  for (const pattern of VECTOR_PATTERNS) {
    let mask: Uint8Array;
    try {
      mask = createMask(weight, c.shape, pattern);
    } catch (e) {
      skipped.push({ what: `pattern ${pattern}`, reason: (e as Error).message });
      continue;
    }
    masks.set(pattern, mask);
    const { n, m } = patternNM(pattern);
    b.add(
      `mask.${pattern}`,
      { dtype: 'BOOL', shape: [...c.shape], data: mask },
      'mask (1 = keep)',
      pattern,
      `createMask(weight, shape, '${pattern}')`,
    );
    b.add(
      `masked.${pattern}`,
      f32(
        c.shape,
        weight.map((v, i) => (mask[i] ? v : 0)),
      ),
      'weight * mask',
      pattern,
      'weight * mask',
    );
    const nm = compressWeight(weight, mask, c.shape, n, m);
    const perRow = (cols / nm.m) * nm.n;
    b.add(
      `nm.${pattern}.values`,
      f32([rows, perRow], nm.values),
      'kept values per row of the 2-D view, ascending position per group',
      pattern,
      'compressWeight',
    );
    b.add(
      `nm.${pattern}.indices`,
      { dtype: 'U8', shape: [rows, perRow], data: nm.indices },
      'position (0..M-1) in its group of each kept value',
      pattern,
      'compressWeight',
    );
  }

  for (const pattern of COMPRESSED_PATTERNS) {
    const mask = masks.get(pattern);
    if (mask === undefined) continue;
    const c24 = { ...compressWeight(weight, mask, c.shape), weightShape: null } as Compressed24;
    try {
      const cut = toCutlass(c24, 'float16');
      b.add(
        `cutlass.${pattern}.packed`,
        { dtype: 'F16', shape: [rows, cols / 2], data: cut.packed as Uint16Array },
        'CUTLASS packed values (fp16 bits)',
        pattern,
        "toCutlass(c, 'float16')",
      );
      b.add(
        `cutlass.${pattern}.meta`,
        { dtype: 'I16', shape: [rows, cols / 16], data: cut.meta as Int16Array },
        'CUTLASS reordered meta (int16)',
        pattern,
        "toCutlass(c, 'float16')",
      );
      b.addRecord(
        toCutlass24(`${pattern}.weight`, c24, 'float16'),
        "sparse24's cutlass-24 (the CUTLASS layout)",
        pattern,
        `toCutlass24('${pattern}.weight', c, 'float16')`,
      );
    } catch (e) {
      skipped.push({ what: `CUTLASS/cutlass-24 for ${pattern}`, reason: (e as Error).message });
    }
    b.addRecord(
      toSparse24Bitmask(`${pattern}.weight`, c24, 'float16'),
      'compressed-tensors sparse-24-bitmask',
      pattern,
      `toSparse24Bitmask('${pattern}', c, 'float16')`,
    );
  }

  const masked = new Tensor(
    weight.map((v, i) => (masks.get('m4n2_1d')![i] ? v : 0)),
    c.shape,
  );
  const biasT = new Tensor(bias, [c.shape[0]!]);
  noGrad(() => {
    if (c.conv === undefined) {
      const batch = c.batch ?? 1;
      const x = new Tensor(halfValues(batch * cols, g), [batch, cols]);
      b.add('linear.x', f32(x.shape, x.data), 'Linear input x [batch, C]', null, 'halfValues');
      b.add(
        'linear.y',
        f32([batch, rows], linear(x, masked, biasT).data),
        'y = x·(weight*mask)ᵀ + bias',
        'm4n2_1d',
        'linear(x, masked.m4n2_1d, bias)',
        OUTPUT_TOLERANCE,
      );
      const a = new Tensor(toView(masked.data, c.shape).data, [rows, cols]);
      const bm = new Tensor(halfValues(cols * 5, g), [cols, 5]);
      b.add('spmm.b', f32(bm.shape, bm.data), 'dense right operand B [C, 5]', null, 'halfValues');
      b.add(
        'spmm.c',
        f32([rows, 5], matmul(a, bm).data),
        'C = (weight*mask)·B',
        'm4n2_1d',
        'matmul(masked.m4n2_1d, spmm.b)',
        OUTPUT_TOLERANCE,
      );
    } else {
      const spec = c.conv;
      const x = new Tensor(
        halfValues(
          spec.input.reduce((p, q) => p * q, 1),
          g,
        ),
        spec.input,
      );
      const op = c.layer === 'Conv1d' ? conv1d : c.layer === 'Conv2d' ? conv2d : conv3d;
      const y = op(x, masked, biasT, { stride: spec.stride, padding: spec.padding });
      b.add('conv.x', f32(x.shape, x.data), 'convolution input [N, C, ...spatial]', null, 'halfValues');
      b.add(
        'conv.y',
        f32(y.shape, y.data),
        `${c.layer.toLowerCase()}(x, weight*mask, bias)`,
        'm4n2_1d',
        `${c.layer.toLowerCase()}(conv.x, masked.m4n2_1d, bias, {stride, padding})`,
        OUTPUT_TOLERANCE,
      );
    }
  });

  return {
    tensors: b.tensors,
    file: {
      file: `${c.name}.safetensors`,
      case: c.name,
      layer: c.layer,
      weightShape: [...c.shape],
      view: [rows, cols],
      conv: c.conv === undefined ? null : { stride: c.conv.stride, padding: c.conv.padding, dilation: 1, groups: 1 },
      tensors: b.entries,
      skipped,
    },
  };
}

/** All vectors for a seed (one MT19937 stream, consumed case by case in a fixed order). */
export function buildVectors(seed: number): VectorSet {
  const g = new MT19937(seed);
  const files = new Map<string, Map<string, StoredTensor>>();
  const entries: ManifestFile[] = [];
  for (const c of VECTOR_CASES) {
    const built = buildCase(c, g);
    files.set(built.file.file, built.tensors);
    entries.push(built.file);
  }
  return {
    manifest: { format: 'sparse24-oracle-vectors', version: 1, seed, conventions: CONVENTIONS, files: entries },
    files,
  };
}
