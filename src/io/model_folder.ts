/**
 * A Hugging Face style model folder: the weights in `model.safetensors` and the configuration in
 * `config.json` beside them. This is where compressed-tensors (and Transformers) look; sharded
 * folders (`model.safetensors.index.json`) are not read here.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeDirectory, writeFileAtomic } from './atomic.js';
import { errnoCode } from './errno.js';
import { FormatError } from './errors.js';
import { readRegularFile } from './file_read.js';
import {
  type MetadataToSave,
  type SafetensorsFile,
  type TensorsToSave,
  loadSafetensors,
  saveSafetensors,
} from './safetensors.js';

export const WEIGHTS_NAME = 'model.safetensors';
export const CONFIG_NAME = 'config.json';

/** config.json is small; a bigger one is not a config. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

async function isFolder(path: string): Promise<boolean | null> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Reads and parses a JSON file; unreadable or malformed JSON is a FormatError naming it. */
export async function readJsonFile(path: string): Promise<unknown> {
  const bytes = await readRegularFile(path, { maxBytes: MAX_CONFIG_BYTES });
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (e) {
    throw new FormatError(path, `is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
}

/**
 * Writes `dir/model.safetensors` and `dir/config.json` (each atomically), creating `dir`. The
 * keys of `config` replace the same keys of a config.json already there (as compressed-tensors'
 * `update_config` does), so a Transformers config keeps its other fields.
 */
export async function saveModelFolder(
  dir: string,
  tensors: TensorsToSave,
  metadata: MetadataToSave,
  config: Record<string, unknown>,
): Promise<{ weights: string; config: string }> {
  await makeDirectory(dir);
  const configPath = join(dir, CONFIG_NAME);
  let existing: Record<string, unknown> = {};
  if ((await isFolder(configPath)) === false) {
    const parsed = await readJsonFile(configPath);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new FormatError(configPath, 'exists and is not a JSON object; remove it or choose another folder');
    existing = parsed as Record<string, unknown>;
  }
  const weights = join(dir, WEIGHTS_NAME);
  await saveSafetensors(weights, tensors, metadata);
  const text = `${JSON.stringify({ ...existing, ...config }, null, 2)}\n`;
  await writeFileAtomic(configPath, new TextEncoder().encode(text));
  return { weights, config: configPath };
}

export interface ModelFolder {
  readonly dir: string;
  readonly weightsFile: string;
  readonly configFile: string;
  readonly config: unknown;
  readonly weights: SafetensorsFile;
}

/**
 * The folder `path` names: `path` itself when it is a folder, or the folder of a file named
 * `model.safetensors` with a config.json beside it; null when `path` is neither.
 */
export async function modelFolderOf(path: string): Promise<string | null> {
  if ((await isFolder(path)) === true) return path;
  if (basename(path) !== WEIGHTS_NAME) return null;
  return (await isFolder(join(dirname(path), CONFIG_NAME))) === false ? dirname(path) : null;
}

/** Reads `dir/config.json` and `dir/model.safetensors`; a missing one is a FormatError naming it. */
export async function loadModelFolder(dir: string): Promise<ModelFolder> {
  const configFile = join(dir, CONFIG_NAME);
  const weightsFile = join(dir, WEIGHTS_NAME);
  for (const f of [configFile, weightsFile]) {
    const kind = await isFolder(f);
    if (kind !== false)
      throw new FormatError(
        f,
        kind === null
          ? `is missing: a model folder holds ${CONFIG_NAME} and ${WEIGHTS_NAME}`
          : 'is a folder, not a file',
      );
  }
  const config = await readJsonFile(configFile);
  return { dir, weightsFile, configFile, config, weights: await loadSafetensors(weightsFile) };
}
