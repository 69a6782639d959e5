/**
 * `loadCheckpoint` is all or nothing: every way the optimizer file, the scheduler record or the
 * model file can disagree with what is being restored throws before anything is changed, and a
 * record of the wrong shape is a FormatError naming the record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, loadSafetensors, saveSafetensors } from '../../src/io/index.js';
import {
  Adam,
  Linear,
  OptimizerError,
  Sequential,
  StateDictError,
  loadCheckpoint,
  optimizerStatePath,
  saveCheckpoint,
} from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { type TrainingState, fingerprint, freshState, step } from './scripts/crash_common.js';

let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparse24-load-'));
  path = join(dir, 'ckpt.safetensors');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Saves a trained state, then rewrites its optimizer file's metadata with `edit` (same save id). */
async function saveWithOptimizerMeta(edit: (meta: Record<string, string>) => void): Promise<void> {
  const s = freshState(1);
  step(s, 1);
  await saveCheckpoint(path, s.model, { optimizer: s.optimizer, scheduler: s.scheduler });
  const optim = await loadSafetensors(optimizerStatePath(path));
  const meta = { ...optim.metadata };
  edit(meta);
  await saveSafetensors(optimizerStatePath(path), optim.tensors, meta);
}

/** A target that has trained differently, so any partial load would show. */
function target(): TrainingState {
  const t = freshState(7);
  step(t, 5);
  return t;
}

async function expectUntouched(
  t: TrainingState,
  load: Promise<unknown>,
  error: RegExp | (new (...args: never[]) => Error),
): Promise<void> {
  const before = JSON.stringify(fingerprint(t));
  const lr = t.optimizer.paramGroups.map((g) => g.lr);
  await expect(load).rejects.toThrow(error);
  expect(JSON.stringify(fingerprint(t))).toBe(before);
  expect(t.optimizer.paramGroups.map((g) => g.lr)).toEqual(lr);
}

describe('loadCheckpoint changes nothing when it fails', () => {
  it('an optimizer over a subset of the parameters', async () => {
    await saveWithOptimizerMeta(() => undefined);
    const t = target();
    const subset = new Adam(t.model.parameters().slice(1), { lr: 0.3 });
    const before = JSON.stringify(fingerprint(t));
    await expect(loadCheckpoint(path, t.model, { optimizer: subset })).rejects.toThrow(OptimizerError);
    await expect(loadCheckpoint(path, t.model, { optimizer: subset })).rejects.toThrow(
      /group 0 has 4 parameters in the state dict, 3 in the optimizer/,
    );
    expect(JSON.stringify(fingerprint(t))).toBe(before);
    expect(subset.state.size).toBe(0);
  });

  it.each([
    [
      'paramGroups is not a list',
      (r: Record<string, unknown>) => (r['paramGroups'] = 'all'),
      /'paramGroups' must be a list/,
    ],
    [
      'params is not a list of indices',
      (r: Record<string, unknown>) => ((r['paramGroups'] as Record<string, unknown>[])[0]!['params'] = 'x'),
      /paramGroups\[0\]\.params must be a list of parameter indices/,
    ],
    [
      'a hyperparameter is an object',
      (r: Record<string, unknown>) => ((r['paramGroups'] as Record<string, unknown>[])[0]!['lr'] = { a: 1 }),
      /paramGroups\[0\]\.lr must be a number/,
    ],
    ['scalars is null', (r: Record<string, unknown>) => (r['scalars'] = null), /'scalars' must be an object/],
    [
      'scalars hold a string',
      (r: Record<string, unknown>) => (r['scalars'] = { 0: { step: 'one' } }),
      /scalars\['0'\] must map names to numbers/,
    ],
  ])('a malformed optimizer record (%s) is a FormatError naming the record', async (_what, edit, message) => {
    await saveWithOptimizerMeta((meta) => {
      const record = JSON.parse(meta['sparse24.optimizer']!) as Record<string, unknown>;
      edit(record);
      meta['sparse24.optimizer'] = JSON.stringify(record);
    });
    const t = target();
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer, scheduler: t.scheduler }),
      FormatError,
    );
    await expectUntouched(t, loadCheckpoint(path, t.model, { optimizer: t.optimizer }), message);
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer }),
      /__metadata__ 'sparse24\.optimizer'/,
    );
  });

  it.each([
    ['[]', FormatError],
    ['{"type":"Adam"}', FormatError],
    ['"Adam"', FormatError],
    ['not json', FormatError],
  ])('an optimizer record %s is a FormatError, not a TypeError', async (json, type) => {
    await saveWithOptimizerMeta((meta) => (meta['sparse24.optimizer'] = json));
    const t = target();
    await expectUntouched(t, loadCheckpoint(path, t.model, { optimizer: t.optimizer }), type);
  });

  it('hyperparameters the optimizer refuses, or of the wrong type', async () => {
    for (const [key, value, message] of [
      ['lr', -1, /group 0: Adam: lr must be >= 0, got -1/],
      ['amsgrad', 'yes', /hyperparameter 'amsgrad' is "yes", expected a value like false/],
      ['momentum', 0.9, /group 0 has hyperparameter 'momentum', which a Adam does not have/],
    ] as const) {
      await saveWithOptimizerMeta((meta) => {
        const record = JSON.parse(meta['sparse24.optimizer']!) as { paramGroups: Record<string, unknown>[] };
        record.paramGroups[0]![key] = value;
        meta['sparse24.optimizer'] = JSON.stringify(record);
      });
      const t = target();
      await expectUntouched(t, loadCheckpoint(path, t.model, { optimizer: t.optimizer }), message);
    }
  });

  it('a malformed scheduler record, and one of another size', async () => {
    await saveWithOptimizerMeta(
      (meta) => (meta['sparse24.scheduler'] = JSON.stringify({ type: 'StepLR', state: { lastEpoch: 'x' } })),
    );
    const t = target();
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer, scheduler: t.scheduler }),
      /'state\.lastEpoch' must be a number/,
    );
    await saveWithOptimizerMeta((meta) => {
      const record = JSON.parse(meta['sparse24.scheduler']!) as { state: { baseLrs: number[] } };
      record.state.baseLrs.push(1);
      meta['sparse24.scheduler'] = JSON.stringify(record);
    });
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer, scheduler: t.scheduler }),
      OptimizerError,
    );
  });

  it('an optimizer moment of the wrong shape, or for an unlisted parameter', async () => {
    const s = freshState(1);
    step(s, 1);
    await saveCheckpoint(path, s.model, { optimizer: s.optimizer });
    const optim = await loadSafetensors(optimizerStatePath(path));
    const tensors = new Map(optim.tensors);
    tensors.set('state.0.exp_avg', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    await saveSafetensors(optimizerStatePath(path), tensors, optim.metadata);
    const t = target();
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer }),
      /state 'exp_avg' of parameter 0 has shape \[3\]/,
    );
    tensors.delete('state.0.exp_avg');
    tensors.set('state.9.exp_avg', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    await saveSafetensors(optimizerStatePath(path), tensors, optim.metadata);
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer }),
      /state for parameter 9, which no group lists/,
    );
  });

  it('a model file that does not fit leaves a valid optimizer untouched', async () => {
    await saveWithOptimizerMeta(() => undefined);
    const t = target();
    (t.model.at(0) as Linear).registerBuffer('extra', new Tensor(new Float32Array(2), [2]));
    await expectUntouched(
      t,
      loadCheckpoint(path, t.model, { optimizer: t.optimizer, scheduler: t.scheduler }),
      StateDictError,
    );
    await expectUntouched(t, loadCheckpoint(path, t.model, { optimizer: t.optimizer }), /missing keys \(1\): 0\.extra/);
  });
});

describe('state dict hints', () => {
  it('a dense checkpoint loaded into a model prepared for pruning says so', async () => {
    const dense = new Sequential(new Linear(16, 8));
    await saveCheckpoint(path, dense);
    const prepared = new Sequential(new Linear(16, 8));
    const lin = prepared.at(0) as Linear;
    lin.registerBuffer('__weight_mma_mask', new Tensor(new Float32Array(128).fill(1), [8, 16]));
    const err = await loadCheckpoint(path, prepared).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as Error).message).toMatch(/missing keys \(1\): 0\.__weight_mma_mask/);
    expect((err as Error).message).toMatch(
      /this model is already prepared for 2:4 pruning \(initModelForPruning\) but the checkpoint is dense/,
    );
    expect((err as Error).message).toMatch(/before initModelForPruning/);
  });
});

describe('epoch metadata', () => {
  it("an empty or mangled 'sparse24.epoch' is a FormatError, not epoch 0", async () => {
    const model = new Sequential(new Linear(4, 2));
    await saveCheckpoint(path, model, { epoch: 3 });
    const saved = await loadSafetensors(path);
    expect((await loadCheckpoint(path, model)).epoch).toBe(3);
    for (const bad of ['', '  ', '0x10', '1e3', '-1', '2.5', 'three', '99999999999999999999']) {
      await saveSafetensors(path, saved.tensors, { ...saved.metadata, 'sparse24.epoch': bad });
      const err = await loadCheckpoint(path, model).catch((e: unknown) => e);
      expect(err, `epoch '${bad}'`).toBeInstanceOf(FormatError);
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toMatch(
        /'sparse24\.epoch' must be a non-negative integer in decimal digits, found '/,
      );
    }
    await saveSafetensors(path, saved.tensors, { ...saved.metadata, 'sparse24.epoch': '0' });
    expect((await loadCheckpoint(path, model)).epoch).toBe(0);
  });
});
