import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { type StoredTensor, FormatError, fromTensor, loadSafetensors, saveSafetensors, toTensor } from '../io/index.js';
import { Sparse24Error, type Tensor, ValueError } from '../tensor/index.js';
import type { LoadResult } from './state_dict.js';
import type { AnyModule } from './module.js';
import type { LRScheduler, SchedulerStateDict } from './optim/lr_scheduler.js';
import type { BaseHyper, Optimizer, OptimizerStateDict, ParamState } from './optim/optimizer.js';

/**
 * Checkpoints as safetensors, laid out so that PyTorch reads them without sparse24:
 *
 * - `<path>` holds the model's state dict and nothing else, under PyTorch's keys, F32 except
 *   `num_batches_tracked` (I64, as PyTorch keeps it). So `model.load_state_dict(load_file(path))`
 *   works in PyTorch, and a file PyTorch wrote with `save_file(model.state_dict())` loads here
 *   (F16, BF16, F64 and integer tensors are converted to float32). Its `__metadata__` holds the
 *   caller's metadata, `sparse24.epoch` and `sparse24.checkpoint` (a random id of this save).
 * - `<path>.optim.safetensors` (only when an optimizer or scheduler is saved) holds the
 *   optimizer's moment buffers as `state.<index>.<name>` (F32; index as in PyTorch's optimizer
 *   state dict: parameters counted through the groups in order), and in `__metadata__` JSON for
 *   the rest: `sparse24.optimizer` = {type, paramGroups, scalars (per index, e.g. `step`)},
 *   `sparse24.scheduler` = {type, state}, and the same `sparse24.checkpoint` id.
 *
 * Two files rather than prefixed keys in one, so the model file stays a plain state dict that
 * PyTorch's strict `load_state_dict` accepts. Each file is written atomically, the optimizer file
 * first; the shared id lets `loadCheckpoint` notice a pair whose second write never happened.
 */
export const OPTIM_SUFFIX = '.optim.safetensors';

/** The checkpoint's files disagree, or lack what the caller asked to restore. */
export class CheckpointError extends Sparse24Error {}

const ID_KEY = 'sparse24.checkpoint';
const EPOCH_KEY = 'sparse24.epoch';
const OPTIM_KEY = 'sparse24.optimizer';
const SCHED_KEY = 'sparse24.scheduler';
const RESERVED = 'sparse24.';

/** Where the optimizer and scheduler state of the checkpoint at `path` goes. */
export function optimizerStatePath(path: string): string {
  return path + OPTIM_SUFFIX;
}

export interface SaveCheckpointOptions {
  optimizer?: Optimizer<BaseHyper>;
  scheduler?: LRScheduler;
  /** The last completed epoch (resume with `train({ startEpoch: epoch + 1 })`). */
  epoch?: number;
  /** Extra strings for the model file's `__metadata__`; keys starting with `sparse24.` are reserved. */
  metadata?: Readonly<Record<string, string>>;
}

export interface LoadCheckpointOptions {
  optimizer?: Optimizer<BaseHyper>;
  scheduler?: LRScheduler;
  /** As `loadStateDict`'s strict (default true): every key must match both ways. */
  strict?: boolean;
}

export interface LoadedCheckpoint extends LoadResult {
  /** The epoch given to `saveCheckpoint`, if any. */
  epoch: number | undefined;
  /** The caller's metadata (reserved `sparse24.*` keys removed). */
  metadata: Record<string, string>;
}

interface OptimizerRecord {
  type: string;
  paramGroups: OptimizerStateDict['paramGroups'];
  scalars: Record<string, Record<string, number>>;
}

interface SchedulerRecord {
  type: string;
  state: SchedulerStateDict;
}

/** An apex ASP mask buffer: last dotted component `__<param>_mma_mask` (`fc1.__weight_mma_mask`). */
export function isMaskBufferKey(key: string): boolean {
  const last = key.slice(key.lastIndexOf('.') + 1);
  return last.startsWith('__') && last.endsWith('_mma_mask');
}

/**
 * The dtype PyTorch (and apex) give a state-dict entry: batch counters are int64, ASP mask
 * buffers bool, everything else float32 here — so a saved file reads the same in both worlds.
 */
export function stateDictDtype(key: string): 'I64' | 'BOOL' | 'F32' {
  if (key === 'num_batches_tracked' || key.endsWith('.num_batches_tracked')) return 'I64';
  return isMaskBufferKey(key) ? 'BOOL' : 'F32';
}

/** A state dict ready for `saveSafetensors`, each entry in its PyTorch dtype (a non-0/1 mask throws). */
export function toStoredStateDict(sd: ReadonlyMap<string, Tensor>): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const [key, t] of sd) out.set(key, fromTensor(t, stateDictDtype(key)));
  return out;
}

/** Writes a checkpoint (see `OPTIM_SUFFIX` for the layout). Without optimizer and scheduler, a stale optimizer file is removed. */
export async function saveCheckpoint(path: string, model: AnyModule, options: SaveCheckpointOptions = {}): Promise<void> {
  const { optimizer, scheduler, epoch } = options;
  if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0)) {
    throw new ValueError(`saveCheckpoint: epoch must be a non-negative integer, got ${epoch}`);
  }
  const id = randomBytes(8).toString('hex');
  const meta: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (k.startsWith(RESERVED)) throw new ValueError(`saveCheckpoint: metadata key '${k}' is reserved (keys starting with '${RESERVED}' are sparse24's own)`);
    meta[k] = v;
  }
  meta[ID_KEY] = id;
  if (epoch !== undefined) meta[EPOCH_KEY] = String(epoch);

  const tensors = toStoredStateDict(model.stateDict());

  const optimPath = optimizerStatePath(path);
  if (optimizer !== undefined || scheduler !== undefined) {
    const optimTensors = new Map<string, Tensor>();
    const optimMeta: Record<string, string> = { [ID_KEY]: id };
    if (optimizer !== undefined) {
      const sd = optimizer.stateDict();
      const scalars: OptimizerRecord['scalars'] = {};
      for (const [index, state] of Object.entries(sd.state)) {
        for (const [name, v] of Object.entries(state)) {
          if (typeof v === 'number') (scalars[index] ??= {})[name] = v;
          else optimTensors.set(`state.${index}.${name}`, v);
        }
      }
      const record: OptimizerRecord = { type: optimizer.constructor.name, paramGroups: sd.paramGroups, scalars };
      optimMeta[OPTIM_KEY] = JSON.stringify(record);
    }
    if (scheduler !== undefined) {
      const record: SchedulerRecord = { type: scheduler.constructor.name, state: scheduler.stateDict() };
      optimMeta[SCHED_KEY] = JSON.stringify(record);
    }
    await saveSafetensors(optimPath, optimTensors, optimMeta);
  }
  await saveSafetensors(path, tensors, meta);
  if (optimizer === undefined && scheduler === undefined) {
    await unlink(optimPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

function parseRecord<T>(json: string | undefined, what: string, file: string): T | undefined {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    throw new FormatError(file, `__metadata__ '${what}' is not valid JSON`);
  }
}

/** Rebuilds PyTorch-shaped optimizer state from the file's tensors and scalars. */
function optimizerState(record: OptimizerRecord, tensors: Map<string, StoredTensor>, file: string): OptimizerStateDict {
  const state: Record<number, ParamState> = {};
  const slot = (index: string): ParamState => (state[Number(index)] ??= {});
  for (const [index, scalars] of Object.entries(record.scalars)) Object.assign(slot(index), scalars);
  for (const [key, stored] of tensors) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (m === null) throw new FormatError(file, `unexpected tensor '${key}'; optimizer tensors are named state.<index>.<name>`);
    slot(m[1]!)[m[2]!] = toTensor(stored);
  }
  return { state, paramGroups: record.paramGroups };
}

/**
 * Loads a checkpoint written by `saveCheckpoint` (or a PyTorch `save_file(model.state_dict())`)
 * into `model`, and into `optimizer` / `scheduler` when given. Model keys are checked as
 * `loadStateDict` checks them (a `StateDictError` lists every mismatch). Asking for optimizer or
 * scheduler state the checkpoint lacks, of another optimizer type, or from another save, throws a
 * `CheckpointError` before anything is changed.
 */
export async function loadCheckpoint(path: string, model: AnyModule, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const { optimizer, scheduler } = options;
  const file = await loadSafetensors(path);
  const id = file.metadata[ID_KEY];
  let optimRecord: OptimizerRecord | undefined;
  let schedRecord: SchedulerRecord | undefined;
  let optimTensors = new Map<string, StoredTensor>();
  const optimPath = optimizerStatePath(path);
  if (optimizer !== undefined || scheduler !== undefined) {
    const wanted = optimizer !== undefined ? 'optimizer' : 'scheduler';
    const optim = await loadSafetensors(optimPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        throw new CheckpointError(`loadCheckpoint: ${path} has no ${wanted} state: ${optimPath} does not exist (save with saveCheckpoint(path, model, { ${wanted} }))`);
      }
      throw err;
    });
    if (id === undefined || optim.metadata[ID_KEY] !== id) {
      throw new CheckpointError(
        `loadCheckpoint: ${optimPath} belongs to a different save than ${path} (checkpoint ids ${String(optim.metadata[ID_KEY])} and ${String(id)}); was a save interrupted?`,
      );
    }
    optimRecord = parseRecord<OptimizerRecord>(optim.metadata[OPTIM_KEY], OPTIM_KEY, optimPath);
    schedRecord = parseRecord<SchedulerRecord>(optim.metadata[SCHED_KEY], SCHED_KEY, optimPath);
    optimTensors = optim.tensors;
    for (const [what, obj, record] of [['optimizer', optimizer, optimRecord], ['scheduler', scheduler, schedRecord]] as const) {
      if (obj === undefined) continue;
      if (record === undefined) throw new CheckpointError(`loadCheckpoint: ${optimPath} holds no ${what} state`);
      if (record.type !== obj.constructor.name) {
        throw new CheckpointError(`loadCheckpoint: ${optimPath} holds ${record.type} state, but the ${what} given is a ${obj.constructor.name}`);
      }
    }
  }

  const epochText = file.metadata[EPOCH_KEY];
  const epoch = epochText === undefined ? undefined : Number(epochText);
  if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0)) throw new FormatError(path, `__metadata__ '${EPOCH_KEY}' must be a non-negative integer, found '${epochText}'`);
  const optimState = optimizer !== undefined && optimRecord !== undefined ? optimizerState(optimRecord, optimTensors, optimPath) : undefined;
  const sd = new Map<string, Tensor>();
  for (const [key, stored] of file.tensors) sd.set(key, toTensor(stored));

  const result = model.loadStateDict(sd, { strict: options.strict ?? true });
  if (optimizer !== undefined && optimState !== undefined) optimizer.loadStateDict(optimState);
  if (scheduler !== undefined && schedRecord !== undefined) scheduler.loadStateDict(schedRecord.state);

  // Null prototype: a metadata key named `__proto__` is just another key.
  const metadata = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(file.metadata)) if (!k.startsWith(RESERVED)) metadata[k] = v;
  return { ...result, epoch, metadata };
}
