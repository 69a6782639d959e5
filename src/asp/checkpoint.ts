/**
 * ASP state in files. The mask buffers are float 0/1 tensors in memory but BOOL in apex's
 * checkpoints; nn's checkpoint writer gives every state-dict entry its PyTorch dtype
 * (`fc1.__weight_mma_mask`: BOOL, `fc1.__weight_mma_pruned_p`: F32, `bn.num_batches_tracked`: I64),
 * so a safetensors file reads the same in both worlds. These are the ASP-facing names for that rule.
 */
import { type Dtype, type StoredTensor, toTensor } from '../io/index.js';
import { type StateDict, isMaskBufferKey, stateDictDtype } from '../nn/index.js';

export { toStoredStateDict } from '../nn/index.js';

/** A state-dict key of an ASP mask buffer: last component `__<param>_mma_mask`. */
export const isMaskKey = isMaskBufferKey;

/** The dtype each key is saved as (BOOL for mask buffers). */
export const checkpointDtype: (key: string) => Dtype = stateDictDtype;

/** Dtype hints for the mask keys (what a checkpoint writer needs to know beyond F32). */
export function maskDtypeHints(keys: Iterable<string>): Map<string, Dtype> {
  const out = new Map<string, Dtype>();
  for (const k of keys) if (isMaskKey(k)) out.set(k, 'BOOL');
  return out;
}

/** Tensors back from stored ones (BOOL masks become float 0/1), ready for `loadStateDict`. */
export function fromStoredStateDict(stored: ReadonlyMap<string, StoredTensor>): StateDict {
  const out: StateDict = new Map();
  for (const [k, s] of stored) out.set(k, toTensor(s));
  return out;
}
