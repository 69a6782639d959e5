/// <reference lib="dom" />
/**
 * Where the lab's weight comes from: the demo checkpoint the server generates (/demo.safetensors),
 * a random matrix, a matrix with planted ties, or a file dropped on the page. Files are parsed from
 * bytes by the library (parseSafetensors, parseNpy, parseOnnx + onnxLayerWeights); only float
 * tensors of rank >= 2 whose 2-D view can hold 2:4 groups (and whose values are finite) are offered;
 * every usable one of a file is listed, in the file's order, and the first is shown.
 */
import {
  MT19937,
  type StoredTensor,
  onnxLayerWeights,
  parseNpy,
  parseOnnx,
  parseSafetensors,
  toFloat32,
  toView,
} from 'sparse24';

/** One weight, with its 2-D mask view (rows = output channels × kernel positions, cols = input channels). */
export interface LabWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly view: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export function labWeight(name: string, shape: readonly number[], data: Float32Array): LabWeight {
  const v = toView(data, [...shape]);
  return { name, shape, data, view: v.data, rows: v.rows, cols: v.cols };
}

const FLOATS = new Set(['F64', 'F32', 'F16', 'BF16']);

/** Why a tensor of a file is not offered, or null when it is usable. */
function unusable(t: StoredTensor, w: LabWeight | null): string | null {
  if (!FLOATS.has(t.dtype)) return `${t.dtype}, not a float`;
  if (t.shape.length < 2) return `rank ${t.shape.length}`;
  if (t.shape.some((d) => d === 0)) return 'empty';
  if (w === null) return null;
  if (w.cols % 4 !== 0) return `${w.cols} input channels, not a multiple of 4`;
  if (!w.view.every((v) => Number.isFinite(v))) return 'holds NaN or ±Inf';
  return null;
}

/** What a file offers: its usable weights in file order, and a line per tensor that is not. */
export interface FileWeights {
  readonly weights: LabWeight[];
  readonly skipped: string[];
}

/**
 * The usable weights of a file, by its name's extension, in the file's order (safetensors: header
 * order; ONNX: node order). A file that cannot be parsed, or holds no usable weight, throws.
 */
export function weightsFromFile(fileName: string, bytes: Uint8Array): FileWeights {
  const lower = fileName.toLowerCase();
  let found: [string, StoredTensor][];
  if (lower.endsWith('.safetensors')) found = [...parseSafetensors(bytes, fileName).tensors];
  else if (lower.endsWith('.npy')) found = [[fileName, parseNpy(bytes, fileName)]];
  else if (lower.endsWith('.onnx')) found = onnxLayerWeights(parseOnnx(bytes, fileName)).map((w) => [w.name, w.tensor]);
  else throw new Error(`${fileName}: expected a .safetensors, .npy or .onnx file`);
  const weights: LabWeight[] = [];
  const skipped: string[] = [];
  for (const [name, t] of found) {
    const early = unusable(t, null);
    const w = early === null ? labWeight(name, t.shape, toFloat32(t)) : null;
    const why = early ?? unusable(t, w);
    if (why === null) weights.push(w!);
    else skipped.push(`${name} [${t.shape.join(', ')}]: ${why}`);
  }
  if (weights.length === 0) {
    throw new Error(
      `${fileName}: no float weight of rank >= 2 with input channels divisible by 4` +
        (skipped.length > 0 ? ` (${skipped.join('; ')})` : ' (the file holds no tensor)'),
    );
  }
  return { weights, skipped };
}

export async function demoWeights(): Promise<LabWeight[]> {
  const res = await fetch('/demo.safetensors');
  if (!res.ok) throw new Error(`/demo.safetensors: HTTP ${res.status}`);
  return weightsFromFile('demo.safetensors', new Uint8Array(await res.arrayBuffer())).weights;
}

/** A seeded standard-normal rows × cols matrix. */
export function randomWeight(rows: number, cols: number, seed: number): LabWeight {
  const g = new MT19937(seed);
  const data = Float32Array.from({ length: rows * cols }, () => g.nextGauss());
  return labWeight(`random ${rows}×${cols} (seed ${seed})`, [rows, cols], data);
}

/**
 * A matrix of small integers where many groups of four tie: equal magnitudes force the mask's tie
 * rule (apex keeps the earliest of equals), and two pairs of large columns share groups so a
 * permutation has something to win.
 */
export function plantedTiesWeight(rows: number, cols: number): LabWeight {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const big = c % 8 < 2 ? 4 : 1;
      const sign = (r + c) % 3 === 0 ? -1 : 1;
      data[r * cols + c] = sign * big * (1 + ((r * 7 + c * 3) % 4 === 0 ? 1 : 0));
    }
  }
  return labWeight(`planted ties ${rows}×${cols}`, [rows, cols], data);
}
