import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import {
  type StoredTensor,
  fromTensor,
  loadSafetensors,
  metadataInteger,
  parseSafetensors,
  serializeSafetensors,
  toTensor,
} from '../io/index.js';
import { Sparse24Error, type Tensor, ValueError } from '../tensor/index.js';
import { isMaskBufferKey } from './mask_buffers.js';
import type { LoadResult } from './state_dict.js';
import type { AnyModule } from './module.js';
import type { LRScheduler } from './optim/lr_scheduler.js';
import type { BaseHyper, Optimizer } from './optim/optimizer.js';
import type { StagedLoad } from './staged.js';
import {
  ID_KEY,
  type SaveStepHook,
  fileSaveId,
  optimizerFileFor,
  optimizerStatePath,
  previousOptimizerStatePath,
  replaceCheckpointFiles,
} from './checkpoint_files.js';
import {
  OPTIM_KEY,
  SCHED_KEY,
  type OptimizerRecord,
  type SchedulerRecord,
  optimizerRecord,
  optimizerState,
  parseOptimizerRecord,
  parseSchedulerRecord,
} from './checkpoint_records.js';

export {
  OPTIM_SUFFIX,
  PREVIOUS_OPTIM_SUFFIX,
  SAVE_STEPS_MODEL_ONLY,
  SAVE_STEPS_WITH_OPTIMIZER,
  type SaveStep,
  type SaveStepHook,
  optimizerStatePath,
  previousOptimizerStatePath,
} from './checkpoint_files.js';

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
 * PyTorch's strict `load_state_dict` accepts. Replacing two files is not one atomic step, so a save
 * follows the sequence in `checkpoint_files.ts`: whatever instant it is interrupted at, the
 * previous checkpoint (or, once its model file is in place, the new one) still loads whole.
 *
 * Loading is all or nothing: the model's state dict, the optimizer and scheduler records are all
 * checked before any of them is applied, so a failed `loadCheckpoint` leaves everything as it was.
 */

/** The checkpoint's files disagree, or lack what the caller asked to restore. */
export class CheckpointError extends Sparse24Error {}

const EPOCH_KEY = 'sparse24.epoch';
const RESERVED = 'sparse24.';

export interface SaveCheckpointOptions {
  optimizer?: Optimizer<BaseHyper>;
  scheduler?: LRScheduler;
  /** The last completed epoch (resume with `train({ startEpoch: epoch + 1 })`). */
  epoch?: number;
  /** Extra strings for the model file's `__metadata__`; keys starting with `sparse24.` are reserved. */
  metadata?: Readonly<Record<string, string>>;
  /** Called after each step of the file replacement (`SaveStep`), e.g. for progress or crash tests. */
  onStep?: SaveStepHook;
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

/**
 * Writes a checkpoint (see `OPTIM_SUFFIX` for the layout). Without optimizer and scheduler, a stale
 * optimizer file is removed.
 */
export async function saveCheckpoint(
  path: string,
  model: AnyModule,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  const { optimizer, scheduler, epoch } = options;
  if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0)) {
    throw new ValueError(`saveCheckpoint: epoch must be a non-negative integer, got ${epoch}`);
  }
  const id = randomBytes(8).toString('hex');
  const meta: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (k.startsWith(RESERVED))
      throw new ValueError(
        `saveCheckpoint: metadata key '${k}' is reserved (keys starting with '${RESERVED}' are sparse24's own)`,
      );
    meta[k] = v;
  }
  meta[ID_KEY] = id;
  if (epoch !== undefined) meta[EPOCH_KEY] = String(epoch);

  const tensors = toStoredStateDict(model.stateDict());
  let optimBytes: Uint8Array | null = null;
  if (optimizer !== undefined || scheduler !== undefined) {
    let optimTensors = new Map<string, Tensor>();
    const optimMeta: Record<string, string> = { [ID_KEY]: id };
    if (optimizer !== undefined) {
      const { record, tensors: moments } = optimizerRecord(optimizer.constructor.name, optimizer.stateDict());
      optimTensors = moments;
      optimMeta[OPTIM_KEY] = JSON.stringify(record);
    }
    if (scheduler !== undefined) {
      const record: SchedulerRecord = { type: scheduler.constructor.name, state: scheduler.stateDict() };
      optimMeta[SCHED_KEY] = JSON.stringify(record);
    }
    optimBytes = serializeSafetensors(optimTensors, optimMeta);
  }
  await replaceCheckpointFiles(path, id, serializeSafetensors(tensors, meta), optimBytes, options.onStep);
}

/**
 * Loads a checkpoint written by `saveCheckpoint` (or a PyTorch `save_file(model.state_dict())`)
 * into `model`, and into `optimizer` / `scheduler` when given. Model keys are checked as
 * `loadStateDict` checks them (a `StateDictError` lists every mismatch). Asking for optimizer or
 * scheduler state the checkpoint lacks, of another optimizer type, or from another save, throws a
 * `CheckpointError` before anything is changed.
 */
export async function loadCheckpoint(
  path: string,
  model: AnyModule,
  options: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint> {
  const { optimizer, scheduler } = options;
  const file = await loadSafetensors(path);
  const id = file.metadata[ID_KEY];
  // Decimal digits only: Number() would read '' or '  ' as epoch 0 and resume from the wrong place.
  const epoch = metadataInteger(path, file.metadata, EPOCH_KEY);

  const staged: StagedLoad[] = [];
  if (optimizer !== undefined || scheduler !== undefined) {
    const optim = await readOptimizerFile(path, id, optimizer !== undefined ? 'optimizer' : 'scheduler');
    const optimJson = optim.metadata[OPTIM_KEY];
    const schedJson = optim.metadata[SCHED_KEY];
    const optimRecord: OptimizerRecord | undefined =
      optimJson === undefined ? undefined : parseOptimizerRecord(optimJson, optim.path);
    const schedRecord: SchedulerRecord | undefined =
      schedJson === undefined ? undefined : parseSchedulerRecord(schedJson, optim.path);
    for (const [what, obj, record] of [
      ['optimizer', optimizer, optimRecord],
      ['scheduler', scheduler, schedRecord],
    ] as const) {
      if (obj === undefined) continue;
      if (record === undefined) throw new CheckpointError(`loadCheckpoint: ${optim.path} holds no ${what} state`);
      if (record.type !== obj.constructor.name) {
        throw new CheckpointError(
          `loadCheckpoint: ${optim.path} holds ${record.type} state, but the ${what} given is a ${obj.constructor.name}`,
        );
      }
    }
    if (optimizer !== undefined)
      staged.push(optimizer.stageLoadStateDict(optimizerState(optimRecord!, optim.tensors, optim.path)));
    if (scheduler !== undefined) staged.push(scheduler.stageLoadStateDict(schedRecord!.state));
  }
  const sd = new Map<string, Tensor>();
  for (const [key, stored] of file.tensors) sd.set(key, toTensor(stored));
  const modelLoad = model.stageLoadStateDict(sd, { strict: options.strict ?? true });

  // Everything is checked: apply it all.
  const result = modelLoad.commit();
  for (const s of staged) s.commit();

  // Null prototype: a metadata key named `__proto__` is just another key.
  const metadata = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(file.metadata)) if (!k.startsWith(RESERVED)) metadata[k] = v;
  return { ...result, epoch, metadata };
}

/** The optimizer file of save `id` (by the recovery rule of `checkpoint_files.ts`), parsed. */
async function readOptimizerFile(
  path: string,
  id: string | undefined,
  wanted: string,
): Promise<{ path: string; metadata: Record<string, string>; tensors: Map<string, StoredTensor> }> {
  const found = await optimizerFileFor(path, id);
  if (found === null) {
    const optimPath = optimizerStatePath(path);
    const held = await Promise.all(
      [optimPath, previousOptimizerStatePath(path)].map((p) =>
        stat(p).then(
          async () => (await fileSaveId(p)) ?? 'none',
          () => null,
        ),
      ),
    );
    if (held.every((h) => h === null)) {
      throw new CheckpointError(
        `loadCheckpoint: ${path} has no ${wanted} state: ${optimPath} does not exist (save with saveCheckpoint(path, model, { ${wanted} }))`,
      );
    }
    throw new CheckpointError(
      `loadCheckpoint: ${optimPath} belongs to a different save than ${path} (checkpoint ids ${String(held[0] ?? 'none')} and ${String(id)}` +
        `${held[1] === null ? '' : `; ${previousOptimizerStatePath(path)} holds ${String(held[1])}`}): ` +
        `the model file comes from a save without ${wanted} state, or the files were mixed by hand`,
    );
  }
  const parsed = parseSafetensors(found.bytes, found.path);
  if (parsed.metadata[ID_KEY] !== id) {
    throw new CheckpointError(
      `loadCheckpoint: ${found.path} changed while it was read (a save in progress?); load again`,
    );
  }
  return { path: found.path, metadata: parsed.metadata, tensors: parsed.tensors };
}
