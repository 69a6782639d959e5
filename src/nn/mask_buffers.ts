/**
 * The names of apex ASP's mask buffers, exactly as apex writes them, so a checkpoint reads the
 * same in both worlds. A sparsified parameter `weight` of module `fc1` gets two buffers on that
 * module: `__weight_mma_mask` (the 0/1 keep-mask) and, when masks may be recomputed,
 * `__weight_mma_pruned_p` (the values the mask zeroed). Their state-dict keys are
 * `fc1.__weight_mma_mask` and `fc1.__weight_mma_pruned_p`.
 */

const MASK_SUFFIX = '_mma_mask';
const PRUNED_SUFFIX = '_mma_pruned_p';

/** The mask buffer of a parameter on its module: `weight` → `__weight_mma_mask`. */
export const maskBufferName = (param: string): string => `__${param}${MASK_SUFFIX}`;

/** The pruned-values buffer of a parameter on its module: `weight` → `__weight_mma_pruned_p`. */
export const prunedBufferName = (param: string): string => `__${param}${PRUNED_SUFFIX}`;

/** A dotted key with its last component renamed: `a.b.weight`, f → `a.b.${f('weight')}`. */
function renameLast(key: string, rename: (local: string) => string): string {
  const cut = key.lastIndexOf('.') + 1;
  return key.slice(0, cut) + rename(key.slice(cut));
}

/** The state-dict key of a parameter key's mask buffer: `a.b.weight` → `a.b.__weight_mma_mask`. */
export const maskBufferKey = (paramKey: string): string => renameLast(paramKey, maskBufferName);

/** The state-dict key of a parameter key's pruned buffer: `a.b.weight` → `a.b.__weight_mma_pruned_p`. */
export const prunedBufferKey = (paramKey: string): string => renameLast(paramKey, prunedBufferName);

function lastComponent(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

/** An apex ASP mask buffer key: last dotted component `__<param>_mma_mask` (`fc1.__weight_mma_mask`). */
export function isMaskBufferKey(key: string): boolean {
  const last = lastComponent(key);
  return last.startsWith('__') && last.endsWith(MASK_SUFFIX);
}

/** Either of ASP's buffers (`__<param>_mma_mask` or `__<param>_mma_pruned_p`), as the last component. */
export function isAspBufferKey(key: string): boolean {
  const last = lastComponent(key);
  return last.startsWith('__') && (last.endsWith(MASK_SUFFIX) || last.endsWith(PRUNED_SUFFIX));
}
