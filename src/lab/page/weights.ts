/// <reference lib="dom" />
/**
 * Where the lab's weight comes from: the demo checkpoint the server generates (/demo.safetensors),
 * a random matrix, a matrix with planted ties, or a file dropped on the page. Files are parsed from
 * bytes by the library (parseSafetensors, parseNpy, parseOnnx + onnxLayerWeights); only float
 * tensors of rank >= 2 whose 2-D view can hold 2:4 groups are offered.
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

function usable(name: string, t: StoredTensor): LabWeight | null {
  if (!FLOATS.has(t.dtype) || t.shape.length < 2 || t.shape.some((d) => d === 0)) return null;
  const w = labWeight(name, t.shape, toFloat32(t));
  return w.cols % 4 === 0 ? w : null;
}

/** The usable weights of a file, by its name's extension. */
export function weightsFromFile(fileName: string, bytes: Uint8Array): LabWeight[] {
  const lower = fileName.toLowerCase();
  let found: [string, StoredTensor][];
  if (lower.endsWith('.safetensors')) found = [...parseSafetensors(bytes, fileName).tensors];
  else if (lower.endsWith('.npy')) found = [[fileName, parseNpy(bytes, fileName)]];
  else if (lower.endsWith('.onnx')) found = onnxLayerWeights(parseOnnx(bytes, fileName)).map((w) => [w.name, w.tensor]);
  else throw new Error(`${fileName}: expected a .safetensors, .npy or .onnx file`);
  const out = found.flatMap(([n, t]) => usable(n, t) ?? []);
  if (out.length === 0) throw new Error(`${fileName}: no float weight of rank >= 2 with input channels divisible by 4`);
  return out;
}

export async function demoWeights(): Promise<LabWeight[]> {
  const res = await fetch('/demo.safetensors');
  if (!res.ok) throw new Error(`/demo.safetensors: HTTP ${res.status}`);
  return weightsFromFile('demo.safetensors', new Uint8Array(await res.arrayBuffer()));
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
