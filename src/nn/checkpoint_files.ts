/**
 * How a checkpoint's two files are replaced so that an interrupted save (kill -9, power cut,
 * full disk) never leaves the previous checkpoint unloadable.
 *
 * Files of the checkpoint at `path`: the model file `path`, the optimizer file
 * `path.optim.safetensors` and, only while a save is under way, the previous optimizer file
 * `path.optim.prev.safetensors`. Each carries the id of the save that wrote it.
 *
 * A save with optimizer state, in order (each step is reported to `onStep` once done):
 *   1. 'optimizer-temp-written', 2. 'model-temp-written': both new files written in full to
 *      temporary names in the same folder and flushed; nothing visible has changed yet.
 *   3. 'previous-optimizer-kept': if the optimizer file belongs to the current model file, it is
 *      renamed to the previous-optimizer name (if that one already belongs to the model file, from
 *      an earlier interrupted save, it stays as it is).
 *   4. 'optimizer-renamed': the new optimizer file takes its place.
 *   5. 'model-renamed': the new model file takes its place; from here the new save is the checkpoint.
 *   6. 'previous-optimizer-removed'.
 * A save without optimizer state: 'model-temp-written', 'model-renamed', then
 * 'stale-optimizer-removed' and 'previous-optimizer-removed' (files of older saves).
 *
 * Recovery rule when loading: the optimizer state is the optimizer file if its id is the model
 * file's, else the previous-optimizer file if its id is; otherwise there is none for this save.
 * Every instant of the sequences above leaves a model file and, if it had one, its optimizer
 * state under one of the two names. Temporary files of an interrupted save are left behind
 * (`.<name>.<id>.tmp`) and never read.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const OPTIM_SUFFIX = '.optim.safetensors';
export const PREVIOUS_OPTIM_SUFFIX = '.optim.prev.safetensors';
export const ID_KEY = 'sparse24.checkpoint';

export type SaveStep =
  | 'optimizer-temp-written'
  | 'model-temp-written'
  | 'previous-optimizer-kept'
  | 'optimizer-renamed'
  | 'model-renamed'
  | 'previous-optimizer-removed'
  | 'stale-optimizer-removed';

/** The steps of a save with optimizer state, in order. */
export const SAVE_STEPS_WITH_OPTIMIZER: readonly SaveStep[] = [
  'optimizer-temp-written',
  'model-temp-written',
  'previous-optimizer-kept',
  'optimizer-renamed',
  'model-renamed',
  'previous-optimizer-removed',
];

/** The steps of a save of the model alone, in order. */
export const SAVE_STEPS_MODEL_ONLY: readonly SaveStep[] = [
  'model-temp-written',
  'model-renamed',
  'stale-optimizer-removed',
  'previous-optimizer-removed',
];

export type SaveStepHook = (step: SaveStep) => void | Promise<void>;

/** Where the optimizer and scheduler state of the checkpoint at `path` goes. */
export function optimizerStatePath(path: string): string {
  return path + OPTIM_SUFFIX;
}

/** Where a save keeps the previous optimizer state until the new model file is in place. */
export function previousOptimizerStatePath(path: string): string {
  return path + PREVIOUS_OPTIM_SUFFIX;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
}

/**
 * The save id in a safetensors file's `__metadata__`, read from its header alone; undefined when
 * the file is missing, unreadable or has none. Only used to decide which file to keep: loading
 * reads and checks whole files.
 */
export async function fileSaveId(path: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const prefix = Buffer.alloc(8);
    if ((await fh.read(prefix, 0, 8, 0)).bytesRead !== 8) return undefined;
    const length = Number(prefix.readBigUInt64LE(0));
    if (length > 100_000_000) return undefined;
    const header = Buffer.alloc(length);
    if ((await fh.read(header, 0, length, 8)).bytesRead !== length) return undefined;
    const parsed: unknown = JSON.parse(header.toString('utf8'));
    const meta = (parsed as { __metadata__?: Record<string, unknown> } | null)?.__metadata__;
    const id = meta?.[ID_KEY];
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

/** Writes `bytes` to a new temporary file beside `path`, flushed to disk; returns its name. */
async function writeTemp(path: string, id: string, bytes: Uint8Array): Promise<string> {
  const tmp = join(dirname(path), `.${basename(path)}.${id}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await removeIfPresent(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Replaces the checkpoint at `path` by the serialized model file and, when given, optimizer file
 * of save `id`, by the sequences at the top of this file.
 */
export async function replaceCheckpointFiles(
  path: string,
  id: string,
  model: Uint8Array,
  optimizer: Uint8Array | null,
  onStep: SaveStepHook = () => undefined,
): Promise<void> {
  const optimPath = optimizerStatePath(path);
  const prevPath = previousOptimizerStatePath(path);
  const temps: string[] = [];
  try {
    let optimTemp: string | null = null;
    if (optimizer !== null) {
      optimTemp = await writeTemp(optimPath, id, optimizer);
      temps.push(optimTemp);
      await onStep('optimizer-temp-written');
    }
    const modelTemp = await writeTemp(path, id, model);
    temps.push(modelTemp);
    await onStep('model-temp-written');
    if (optimTemp !== null) {
      const current = await fileSaveId(path);
      if (current !== undefined && (await fileSaveId(optimPath)) === current) await rename(optimPath, prevPath);
      await onStep('previous-optimizer-kept');
      await rename(optimTemp, optimPath);
      temps.shift();
      await onStep('optimizer-renamed');
    }
    await rename(modelTemp, path);
    temps.pop();
    await onStep('model-renamed');
  } catch (err) {
    for (const t of temps) await removeIfPresent(t).catch(() => undefined);
    throw err;
  }
  if (optimizer === null) {
    await removeIfPresent(optimPath);
    await onStep('stale-optimizer-removed');
  }
  await removeIfPresent(prevPath);
  await onStep('previous-optimizer-removed');
}

/** The optimizer file holding save `id`'s state, by the recovery rule; null if neither does. */
export async function optimizerFileFor(
  path: string,
  id: string | undefined,
): Promise<{ path: string; bytes: Uint8Array } | null> {
  if (id === undefined) return null;
  for (const candidate of [optimizerStatePath(path), previousOptimizerStatePath(path)]) {
    if ((await fileSaveId(candidate)) !== id) continue;
    try {
      return { path: candidate, bytes: await readFile(candidate) };
    } catch (err) {
      if (!isMissing(err)) throw err; // renamed away between the two reads: try the other name
    }
  }
  return null;
}
