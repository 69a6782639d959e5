/**
 * Reading a tensor file named on the command line: `.safetensors` (any number of named tensors),
 * `.npy` (one tensor, named after the file) or `.onnx` (the weights of its Conv, Gemm and MatMul
 * nodes, see `onnxLayerWeights`). Every command reads its input through here.
 *
 * - The name must end in .safetensors, .npy or .onnx (any case: `W.NPY` is an .npy file);
 *   anything else (`/etc/passwd`, `x.txt`) is refused before it is read.
 * - The content decides between the two when its magic bytes are unambiguous (`\x93NUMPY` for
 *   .npy; an 8-byte length followed by `{` for safetensors), so a mislabelled file is read as
 *   what it is; otherwise the extension decides and the parser reports what is wrong.
 * - The file is read by the io layer's bounded reader: regular files only, at most
 *   `MAX_FILE_BYTES`. An unreadable path becomes a `FormatError`, so the CLI reports it as bad
 *   input (exit 2) in one line instead of crashing on a Node error.
 */
import { basename, extname } from 'node:path';
import {
  FormatError,
  type StoredTensor,
  describeErrno,
  errnoCode,
  onnxLayerWeights,
  parseNpy,
  parseOnnx,
  parseSafetensors,
  readRegularFile,
} from '../../io/index.js';

export type TensorFileKind = 'safetensors' | 'npy' | 'onnx';

export interface TensorFile {
  readonly path: string;
  readonly kind: TensorFileKind;
  /** Tensors by name, in file order. */
  readonly tensors: Map<string, StoredTensor>;
  /** The safetensors `__metadata__` strings (empty for .npy and .onnx). */
  readonly metadata: Record<string, string>;
}

/** An ONNX file's layer weights: in [out, in, ...kernel] order, with the node that reads each. */
export interface OnnxTensorFile extends TensorFile {
  readonly kind: 'onnx';
  readonly layers: ReadonlyMap<string, { op: string; node: string; transposed: boolean }>;
}

/** The kind a file name says (case-insensitive extension); a FormatError for any other name. */
export function tensorFileKind(path: string): TensorFileKind {
  const ext = extname(path).toLowerCase();
  if (ext === '.safetensors') return 'safetensors';
  if (ext === '.npy') return 'npy';
  if (ext === '.onnx') return 'onnx';
  throw new FormatError(path, `unsupported file type '${ext || '(none)'}'; expected .safetensors, .npy or .onnx`);
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** The kind the content's magic bytes show, or null when they show neither clearly. */
export function sniffTensorFile(bytes: Uint8Array): TensorFileKind | null {
  if (bytes.length >= NPY_MAGIC.length && NPY_MAGIC.every((b, i) => bytes[i] === b)) return 'npy';
  if (bytes.length >= 9 && bytes[8] === 0x7b) {
    const len = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (len <= BigInt(bytes.length - 8)) return 'safetensors';
  }
  return null;
}

/** The bytes of `path` (a regular file within the read limit); any failure is a FormatError naming it. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(path);
  } catch (e) {
    const code = errnoCode(e);
    if (code === undefined) throw e;
    throw new FormatError(path, `cannot read file: ${code === 'ENOENT' ? 'no such file' : describeErrno(code)}`);
  }
}

/** Loads a .safetensors, .npy or .onnx file into named StoredTensors. */
export async function loadTensorFile(path: string): Promise<TensorFile | OnnxTensorFile> {
  const named = tensorFileKind(path);
  const bytes = await readFileBytes(path);
  // ONNX has no magic bytes; its name decides (and a safetensors or .npy file named .onnx is read as what it is).
  const kind = sniffTensorFile(bytes) ?? named;
  if (kind === 'onnx') {
    const weights = onnxLayerWeights(parseOnnx(bytes, path));
    return {
      path,
      kind,
      tensors: new Map(weights.map((w) => [w.name, w.tensor])),
      metadata: {},
      layers: new Map(weights.map((w) => [w.name, { op: w.op, node: w.node, transposed: w.transposed }])),
    };
  }
  if (kind === 'npy') {
    const base = basename(path);
    const name = extname(base).toLowerCase() === '.npy' ? base.slice(0, -'.npy'.length) : base;
    return { path, kind, tensors: new Map([[name, parseNpy(bytes, path)]]), metadata: {} };
  }
  const file = parseSafetensors(bytes, path);
  return { path, kind, tensors: file.tensors, metadata: file.metadata };
}
