/**
 * An interrupted save never loses the previous checkpoint: a child process saves checkpoint A,
 * then starts saving B over it and SIGKILLs itself after each step of B's save in turn. Whatever
 * the step, the files left behind load whole: A (model, optimizer, scheduler) until B's model file
 * is in place, B from then on.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  SAVE_STEPS_MODEL_ONLY,
  SAVE_STEPS_WITH_OPTIMIZER,
  type SaveStep,
  loadCheckpoint,
  saveCheckpoint,
} from '../../src/nn/index.js';
import { runScript } from '../helpers/child.js';
import { fingerprint, freshState, step } from './scripts/crash_common.js';

const script = fileURLToPath(new URL('scripts/crash_save.ts', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function crashAt(
  crash: SaveStep,
  withOptimizer: boolean,
): Promise<{ dir: string; path: string; a: unknown; b: unknown }> {
  const dir = await mkdtemp(join(tmpdir(), 'sparse24-crash-'));
  dirs.push(dir);
  const child = runScript(script, [dir, crash, withOptimizer ? '1' : '0'], 60_000);
  expect(child.signal, `${child.stdout}${child.stderr}`).toBe('SIGKILL');
  const read = async (f: string): Promise<unknown> => JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown;
  return { dir, path: join(dir, 'ckpt.safetensors'), a: await read('a.json'), b: await read('b.json') };
}

describe('saveCheckpoint killed at every step', () => {
  it.each(SAVE_STEPS_WITH_OPTIMIZER.map((s) => [s]))(
    'a save with optimizer killed after %s leaves a whole checkpoint',
    { timeout: 90_000 },
    async (crash) => {
      const { path, a, b } = await crashAt(crash, true);
      const s = freshState(99);
      const loaded = await loadCheckpoint(path, s.model, { optimizer: s.optimizer, scheduler: s.scheduler });
      const newSaveInPlace =
        SAVE_STEPS_WITH_OPTIMIZER.indexOf(crash) >= SAVE_STEPS_WITH_OPTIMIZER.indexOf('model-renamed');
      expect(fingerprint(s)).toEqual(newSaveInPlace ? b : a);
      expect(loaded.epoch).toBe(newSaveInPlace ? 1 : 0);

      // The next save over the debris, and its load, are normal.
      step(s, 3);
      await saveCheckpoint(path, s.model, { optimizer: s.optimizer, scheduler: s.scheduler, epoch: 2 });
      const t = freshState(98);
      await loadCheckpoint(path, t.model, { optimizer: t.optimizer, scheduler: t.scheduler });
      expect(fingerprint(t)).toEqual(fingerprint(s));
    },
  );

  it.each(SAVE_STEPS_MODEL_ONLY.map((s) => [s]))(
    'a model-only save killed after %s leaves a whole checkpoint',
    { timeout: 90_000 },
    async (crash) => {
      const { path, a, b } = await crashAt(crash, false);
      const newSaveInPlace = SAVE_STEPS_MODEL_ONLY.indexOf(crash) >= SAVE_STEPS_MODEL_ONLY.indexOf('model-renamed');
      const s = freshState(99);
      if (newSaveInPlace) {
        await expect(loadCheckpoint(path, s.model, { optimizer: s.optimizer })).rejects.toThrow(CheckpointError);
        await loadCheckpoint(path, s.model);
        expect((fingerprint(s) as { model: unknown }).model).toEqual((b as { model: unknown }).model);
      } else {
        await loadCheckpoint(path, s.model, { optimizer: s.optimizer, scheduler: s.scheduler });
        expect(fingerprint(s)).toEqual(a);
      }
    },
  );

  it('a completed save leaves only the two files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sparse24-crash-'));
    dirs.push(dir);
    const s = freshState(1);
    const path = join(dir, 'ckpt.safetensors');
    for (let k = 0; k < 2; k++) await saveCheckpoint(path, s.model, { optimizer: s.optimizer, scheduler: s.scheduler });
    expect((await readdir(dir)).sort()).toEqual(['ckpt.safetensors', 'ckpt.safetensors.optim.safetensors']);
  });
});
