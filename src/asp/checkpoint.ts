/**
 * ASP state in files. The mask buffers are float 0/1 tensors in memory but BOOL in apex's
 * checkpoints; these helpers give them that dtype on the way out, so a safetensors file reads the
 * same in both worlds (`fc1.__weight_mma_mask`: BOOL, `fc1.__weight_mma_pruned_p`: F32).
 */
import { type Dtype, type StoredTensor, fromTensor, toTensor } from '../io/index.js';
import type { StateDict } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';

/** A state-dict key of an ASP mask buffer: last component `__<param>_mma_mask`. */
export function isMaskKey(key: string): boolean {
  const last = key.slice(key.lastIndexOf('.') + 1);
  return last.startsWith('__') && last.endsWith('_mma_mask');
}

/** The dtype each key should be saved as: BOOL for mask buffers, F32 otherwise. */
export function checkpointDtype(key: string): Dtype {
  return isMaskKey(key) ? 'BOOL' : 'F32';
}

/** Dtype hints for the keys that are not F32 (what a checkpoint writer needs to know). */
export function maskDtypeHints(keys: Iterable<string>): Map<string, Dtype> {
  const out = new Map<string, Dtype>();
  for (const k of keys) if (isMaskKey(k)) out.set(k, 'BOOL');
  return out;
}

/** A state dict ready for `saveSafetensors`: masks as BOOL (a non-0/1 mask throws), the rest F32. */
export function toStoredStateDict(sd: ReadonlyMap<string, Tensor>): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const [k, t] of sd) out.set(k, fromTensor(t, checkpointDtype(k)));
  return out;
}

/** Tensors back from stored ones (BOOL masks become float 0/1), ready for `loadStateDict`. */
export function fromStoredStateDict(stored: ReadonlyMap<string, StoredTensor>): StateDict {
  const out: StateDict = new Map();
  for (const [k, s] of stored) out.set(k, toTensor(s));
  return out;
}
