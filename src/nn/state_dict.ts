import { type Tensor, formatShape, shapeEquals } from '../tensor/index.js';
import { StateDictError } from './errors.js';
import { isAspBufferKey as isPruningKey } from './mask_buffers.js';
import type { StagedLoad } from './staged.js';

/** A module's state: tensors by PyTorch's dotted keys, in PyTorch's order. */
export type StateDict = Map<string, Tensor>;

/** What `loadStateDict` accepts: a Map, or a plain object (e.g. built from a loaded file). */
export type StateDictInput = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** PyTorch's `_IncompatibleKeys`: what a non-strict load left unmatched. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function entries(sd: StateDictInput): [string, Tensor][] {
  if (sd instanceof Map) return [...(sd as ReadonlyMap<string, Tensor>)];
  return Object.entries(sd as Readonly<Record<string, Tensor>>);
}

function list(title: string, items: readonly string[]): string {
  return items.length === 0 ? '' : `\n  ${title} (${items.length}): ${items.join(', ')}`;
}

/** Checks `sd` against the module's live tensors and copies matching values in place. */
export function loadIntoModule(own: ReadonlyMap<string, Tensor>, sd: StateDictInput, strict: boolean): LoadResult {
  return stageModuleLoad(own, sd, strict).commit();
}

/** Checks `sd` against the module's live tensors (throwing as `loadIntoModule` does); `commit()` copies. */
export function stageModuleLoad(
  own: ReadonlyMap<string, Tensor>,
  sd: StateDictInput,
  strict: boolean,
): StagedLoad<LoadResult> {
  const given = new Map(entries(sd));
  const missingKeys = [...own.keys()].filter((k) => !given.has(k));
  const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
  const shapeMismatches: string[] = [];
  for (const [key, target] of own) {
    const src = given.get(key);
    if (src !== undefined && !shapeEquals(src.shape, target.shape)) {
      shapeMismatches.push(`${key}: checkpoint ${formatShape(src.shape)}, model ${formatShape(target.shape)}`);
    }
  }
  const fatal = shapeMismatches.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0));
  if (fatal) {
    let msg = `loadStateDict: the state dict does not match the module${list('missing keys', missingKeys)}`;
    msg += list('unexpected keys', unexpectedKeys) + list('shape mismatches', shapeMismatches);
    if (unexpectedKeys.some(isPruningKey)) {
      msg +=
        '\n  The unexpected *_mma_mask / *_mma_pruned_p keys mean the checkpoint came from a model prepared for ' +
        '2:4 pruning (apex ASP); prepare this model the same way (initModelForPruning) before loadStateDict.';
    }
    if (missingKeys.some(isPruningKey) && !unexpectedKeys.some(isPruningKey)) {
      msg +=
        '\n  The missing *_mma_mask / *_mma_pruned_p keys mean this model is already prepared for 2:4 pruning ' +
        '(initModelForPruning) but the checkpoint is dense; load the dense checkpoint before initModelForPruning ' +
        "(apex's order), or load it with { strict: false } to keep the model's masks and recompute them (computeSparseMasks).";
    }
    if (!strict) msg += '\n  (non-strict load: only the shape mismatches are fatal)';
    throw new StateDictError(msg, strict ? missingKeys : [], strict ? unexpectedKeys : [], shapeMismatches);
  }
  return {
    commit: () => {
      for (const [key, target] of own) {
        const src = given.get(key);
        if (src !== undefined) {
          target.data.set(src.data);
          target.markModified();
        }
      }
      return { missingKeys, unexpectedKeys };
    },
  };
}
