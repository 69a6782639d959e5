import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSafetensors, saveSafetensors } from '../../src/io/index.js';
import { Tensor, ValueError, manualSeed, noGrad } from '../../src/tensor/index.js';
import { Subset, DataLoader, digitsDataset } from '../../src/nn/data/index.js';
import {
  Adam,
  BatchNorm2d,
  CheckpointError,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  SGD,
  Sequential,
  StateDictError,
  StepLR,
  loadCheckpoint,
  optimizerStatePath,
  saveCheckpoint,
  train,
} from '../../src/nn/index.js';

/** The architecture of tools/make_checkpoint_fixtures.py, so keys and shapes match torch's. */
function cnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 4, 3, { padding: 1 }),
    new BatchNorm2d(4),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(64, 10),
  );
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparse24-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const data = digitsDataset({ split: 'train', layout: 'image', normalize: true });
const small = new Subset(
  data,
  Array.from({ length: 96 }, (_, i) => i),
);

function loader(): DataLoader {
  return new DataLoader(small, { batchSize: 16, shuffle: true, seed: 7 });
}

function expectSameState(a: Map<string, Tensor>, b: Map<string, Tensor>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [k, t] of a) {
    expect(b.get(k)!.shape, k).toEqual(t.shape);
    expect(Buffer.from(b.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
  }
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips model, optimizer and scheduler state bit for bit', async () => {
    manualSeed(1);
    const model = cnn();
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const sched = new StepLR(opt, 1, 0.5);
    train({ model, trainLoader: loader(), optimizer: opt, scheduler: sched, epochs: 2, quiet: true });
    const path = join(dir, 'rt.safetensors');
    await saveCheckpoint(path, model, {
      optimizer: opt,
      scheduler: sched,
      epoch: 1,
      metadata: { note: 'hello', __proto__x: 'y' },
    });

    manualSeed(99);
    const fresh = cnn();
    const opt2 = new Adam(fresh.parameters(), { lr: 0.5 });
    const sched2 = new StepLR(opt2, 1, 0.5);
    const got = await loadCheckpoint(path, fresh, { optimizer: opt2, scheduler: sched2 });
    expect(got.epoch).toBe(1);
    expect({ ...got.metadata }).toEqual({ note: 'hello', __proto__x: 'y' });
    expect(got.missingKeys).toEqual([]);
    expectSameState(model.stateDict(), fresh.stateDict());
    expect(opt2.paramGroups[0]!.lr).toBe(opt.paramGroups[0]!.lr);
    expect(sched2.lastEpoch).toBe(2);
    const s1 = opt.stateDict();
    const s2 = opt2.stateDict();
    expect(Object.keys(s2.state)).toEqual(Object.keys(s1.state));
    for (const [i, st] of Object.entries(s1.state)) {
      const other = s2.state[Number(i)]!;
      expect(other['step']).toBe(st['step']);
      for (const k of ['exp_avg', 'exp_avg_sq']) {
        expect(Array.from((other[k] as Tensor).data), `${i}.${k}`).toEqual(Array.from((st[k] as Tensor).data));
      }
    }
  });

  it('writes a plain PyTorch state dict: F32 tensors, num_batches_tracked as I64, optimizer state in a second file', async () => {
    manualSeed(2);
    const model = cnn();
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    train({ model, trainLoader: loader(), optimizer: opt, epochs: 1, quiet: true });
    const path = join(dir, 'layout.safetensors');
    await saveCheckpoint(path, model, { optimizer: opt, epoch: 0 });
    const file = await loadSafetensors(path);
    expect([...file.tensors.keys()].sort()).toEqual([...model.stateDict().keys()].sort());
    const nbt = file.tensors.get('1.num_batches_tracked')!;
    expect(nbt.dtype).toBe('I64');
    expect(nbt.shape).toEqual([]);
    expect(Array.from(nbt.data as BigInt64Array)).toEqual([6n]);
    expect(file.tensors.get('0.weight')!.dtype).toBe('F32');
    const optim = await loadSafetensors(optimizerStatePath(path));
    expect([...optim.tensors.keys()].sort()).toEqual([
      'state.0.momentum_buffer',
      'state.1.momentum_buffer',
      'state.2.momentum_buffer',
      'state.3.momentum_buffer',
      'state.4.momentum_buffer',
      'state.5.momentum_buffer',
    ]);
    const record = JSON.parse(optim.metadata['sparse24.optimizer']!) as {
      type: string;
      paramGroups: { lr: number; momentum: number; params: number[] }[];
    };
    expect(record.type).toBe('SGD');
    expect(record.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, params: [0, 1, 2, 3, 4, 5] });
    expect(optim.metadata['sparse24.checkpoint']).toBe(file.metadata['sparse24.checkpoint']);
  });

  it('writes apex mask buffers as BOOL and reads them back as 0/1 floats', async () => {
    const model = cnn();
    const lin = model.at(5) as Linear;
    const mask = new Float32Array(lin.weight.size).map((_, i) => (i % 4 < 2 ? 1 : 0));
    lin.registerBuffer('__weight_mma_mask', new Tensor(mask, lin.weight.shape));
    lin.registerBuffer('__weight_mma_pruned_p', new Tensor(new Float32Array(lin.weight.size), lin.weight.shape));
    const path = join(dir, 'masks.safetensors');
    await saveCheckpoint(path, model);
    const file = await loadSafetensors(path);
    const stored = file.tensors.get('5.__weight_mma_mask')!;
    expect(stored.dtype).toBe('BOOL');
    expect(Array.from(stored.data as Uint8Array)).toEqual(Array.from(mask));
    expect(file.tensors.get('5.__weight_mma_pruned_p')!.dtype).toBe('F32');
    const twin = cnn();
    (twin.at(5) as Linear).registerBuffer(
      '__weight_mma_mask',
      new Tensor(new Float32Array(mask.length), lin.weight.shape),
    );
    (twin.at(5) as Linear).registerBuffer(
      '__weight_mma_pruned_p',
      new Tensor(new Float32Array(mask.length), lin.weight.shape),
    );
    await loadCheckpoint(path, twin);
    expect(Array.from(twin.stateDict().get('5.__weight_mma_mask')!.data)).toEqual(Array.from(mask));
  });

  it('resumed training is bit-identical to uninterrupted training', async () => {
    const run = (seed: number): { model: Sequential; opt: Adam; sched: StepLR } => {
      manualSeed(seed);
      const model = cnn();
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      return { model, opt, sched: new StepLR(opt, 2, 0.5) };
    };
    const a = run(3);
    const full = train({
      model: a.model,
      trainLoader: loader(),
      optimizer: a.opt,
      scheduler: a.sched,
      epochs: 3,
      quiet: true,
    });

    const b = run(3);
    train({ model: b.model, trainLoader: loader(), optimizer: b.opt, scheduler: b.sched, epochs: 1, quiet: true });
    const path = join(dir, 'resume.safetensors');
    await saveCheckpoint(path, b.model, { optimizer: b.opt, scheduler: b.sched, epoch: 0 });

    const c = run(1234);
    const { epoch } = await loadCheckpoint(path, c.model, { optimizer: c.opt, scheduler: c.sched });
    const rest = train({
      model: c.model,
      trainLoader: loader(),
      optimizer: c.opt,
      scheduler: c.sched,
      epochs: 3,
      startEpoch: epoch! + 1,
      quiet: true,
    });
    expect(rest.map((e) => e.epoch)).toEqual([1, 2]);
    expect(rest.map((e) => e.trainLoss)).toEqual(full.slice(1).map((e) => e.trainLoss));
    expectSameState(a.model.stateDict(), c.model.stateDict());
    expect(c.opt.paramGroups[0]!.lr).toBe(a.opt.paramGroups[0]!.lr);
  });

  it('propagates strict state-dict errors and reports non-strict leftovers', async () => {
    manualSeed(4);
    const path = join(dir, 'strict.safetensors');
    await saveCheckpoint(path, cnn());
    const other = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU());
    const err = await loadCheckpoint(path, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as StateDictError).unexpectedKeys).toContain('5.weight');
    const res = await loadCheckpoint(path, other, { strict: false });
    expect(res.unexpectedKeys.sort()).toEqual([
      '1.bias',
      '1.num_batches_tracked',
      '1.running_mean',
      '1.running_var',
      '1.weight',
      '5.bias',
      '5.weight',
    ]);
    expect(res.epoch).toBeUndefined();
    const wrongShape = new Sequential(new Conv2d(1, 5, 3, { padding: 1 }));
    await expect(loadCheckpoint(path, wrongShape, { strict: false })).rejects.toThrow(
      /0\.weight: checkpoint \[4, 1, 3, 3\], model \[5, 1, 3, 3\]/,
    );
  });

  it('refuses optimizer state that is missing, of another type, or from another save', async () => {
    manualSeed(5);
    const model = cnn();
    const opt = new Adam(model.parameters());
    const path = join(dir, 'opt.safetensors');
    await saveCheckpoint(path, model);
    await expect(stat(optimizerStatePath(path))).rejects.toThrow();
    await expect(loadCheckpoint(path, cnn(), { optimizer: new Adam(cnn().parameters()) })).rejects.toThrow(
      CheckpointError,
    );
    await expect(loadCheckpoint(path, cnn(), { optimizer: new Adam(cnn().parameters()) })).rejects.toThrow(
      /has no optimizer state.*does not exist/,
    );

    await saveCheckpoint(path, model, { optimizer: opt });
    const sgd = new SGD(cnn().parameters(), { lr: 0.1 });
    await expect(loadCheckpoint(path, cnn(), { optimizer: sgd })).rejects.toThrow(
      /holds Adam state, but the optimizer given is a SGD/,
    );

    const stale = join(dir, 'stale.optim');
    await copyFile(optimizerStatePath(path), stale);
    await saveCheckpoint(path, model, { optimizer: opt });
    await copyFile(stale, optimizerStatePath(path));
    const target = cnn();
    const before = target.stateDict();
    await expect(loadCheckpoint(path, target, { optimizer: new Adam(target.parameters()) })).rejects.toThrow(
      /belongs to a different save/,
    );
    expectSameState(before, target.stateDict());

    // Saving the model alone removes the now stale optimizer file.
    await saveCheckpoint(path, model);
    await expect(stat(optimizerStatePath(path))).rejects.toThrow(/ENOENT/);
  });

  it('rejects reserved metadata keys and bad epochs', async () => {
    const path = join(dir, 'meta.safetensors');
    await expect(saveCheckpoint(path, cnn(), { metadata: { 'sparse24.epoch': '3' } })).rejects.toThrow(ValueError);
    await expect(saveCheckpoint(path, cnn(), { epoch: -1 })).rejects.toThrow(
      /epoch must be a non-negative integer, got -1/,
    );
  });

  it('loads a state dict PyTorch wrote and computes torch output', async () => {
    const fixtures = join(import.meta.dirname, '..', 'fixtures', 'nn');
    const golden = JSON.parse(await readFile(join(fixtures, 'checkpoint_torch.json'), 'utf8')) as {
      input: { shape: number[]; data: number[] };
      output: { shape: number[]; data: number[] };
      numBatchesTracked: number;
    };
    const model = cnn();
    const res = await loadCheckpoint(join(fixtures, 'checkpoint_torch.safetensors'), model);
    expect(res).toMatchObject({ missingKeys: [], unexpectedKeys: [], epoch: undefined });
    expect((model.at(1) as BatchNorm2d).numBatchesTracked!.item()).toBe(golden.numBatchesTracked);
    model.eval();
    const out = noGrad(() => model.call(new Tensor(Float32Array.from(golden.input.data), golden.input.shape)));
    expect(out.shape).toEqual(golden.output.shape);
    out.data.forEach((v, i) => expect(Math.abs(v - golden.output.data[i]!)).toBeLessThan(1e-5));
  });

  it('loads F64 and F16 state dicts by converting to float32', async () => {
    manualSeed(6);
    const src = new Sequential(new Linear(3, 2));
    const path = join(dir, 'f64.safetensors');
    const w = src.stateDict().get('0.weight')!;
    await saveSafetensors(path, {
      '0.weight': { dtype: 'F64', shape: w.shape, data: Float64Array.from(w.data) },
      '0.bias': { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
    });
    const dst = new Sequential(new Linear(3, 2));
    await loadCheckpoint(path, dst);
    expect(Array.from(dst.stateDict().get('0.weight')!.data)).toEqual(Array.from(w.data));
    expect(Array.from(dst.stateDict().get('0.bias')!.data)).toEqual([1, -2]);
  });
});
