/**
 * Reading a tensor file named on the command line: `.safetensors` (any number of named tensors)
 * or `.npy` (one tensor, named after the file). An unreadable path becomes a `FormatError`, so the
 * CLI reports it as bad input (exit 2) in one line instead of crashing on a Node error.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { FormatError, type StoredTensor, parseNpy, parseSafetensors } from '../../io/index.js';

export interface TensorFile {
  readonly path: string;
  readonly kind: 'safetensors' | 'npy';
  /** Tensors by name, in file order. */
  readonly tensors: Map<string, StoredTensor>;
  /** The safetensors `__metadata__` strings (empty for .npy). */
  readonly metadata: Record<string, string>;
}

export function tensorFileKind(path: string): 'safetensors' | 'npy' {
  const ext = extname(path).toLowerCase();
  if (ext === '.safetensors') return 'safetensors';
  if (ext === '.npy') return 'npy';
  throw new FormatError(path, `unsupported file type '${ext || '(none)'}'; expected .safetensors or .npy`);
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message);
    throw new FormatError(path, `cannot read file: ${why}`);
  }
}

/** Loads a .safetensors or .npy file into named StoredTensors. */
export async function loadTensorFile(path: string): Promise<TensorFile> {
  const kind = tensorFileKind(path);
  const bytes = await readFileBytes(path);
  if (kind === 'npy') {
    const name = basename(path).slice(0, -'.npy'.length);
    return { path, kind, tensors: new Map([[name, parseNpy(bytes, path)]]), metadata: {} };
  }
  const file = parseSafetensors(bytes, path);
  return { path, kind, tensors: file.tensors, metadata: file.metadata };
}
