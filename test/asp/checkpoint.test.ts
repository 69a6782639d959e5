import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromStoredStateDict, isMaskKey, maskDtypeHints, toStoredStateDict } from '../../src/asp/index.js';
import { loadSafetensors, parseSafetensors, serializeSafetensors } from '../../src/io/index.js';
import { StateDictError, loadCheckpoint, saveCheckpoint } from '../../src/nn/index.js';
import { MT19937 } from '../../src/tensor/index.js';
import { ToyModel, sameBits, train } from './helpers.js';
import { DIMS, STEPS, part1, prepare, resume } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'asp-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoint round trip in one process', () => {
  it('save → new model → init → loadStateDict → init optimizer → sparsity enabled, training continues', () => {
    const a = part1('m4n2_1d');
    const sd = a.model.stateDict();
    expect(sd.has('linear_layer_2.__weight_mma_mask')).toBe(true);
    expect(sd.has('linear_layer_1.__weight_mma_mask')).toBe(false); // 32×8 auto-skipped
    // Masks written as BOOL, the rest F32; read back as float 0/1.
    const bytes = serializeSafetensors(toStoredStateDict(sd));
    const file = parseSafetensors(bytes);
    expect(file.tensors.get('linear_layer_2.__weight_mma_mask')!.dtype).toBe('BOOL');
    expect(file.tensors.get('linear_layer_2.__weight_mma_pruned_p')!.dtype).toBe('F32');
    expect([...maskDtypeHints(sd.keys())]).toEqual([
      ['linear_layer_2.__weight_mma_mask', 'BOOL'],
      ['linear_layer_3.__weight_mma_mask', 'BOOL'],
      ['linear_layer_4.__weight_mma_mask', 'BOOL'],
    ]);
    expect(isMaskKey('a.__weight_mma_pruned_p')).toBe(false);

    const b = prepare('m4n2_1d', new MT19937(2));
    expect(b.asp.isSparsityEnabled()).toBe(false);
    b.model.loadStateDict(fromStoredStateDict(file.tensors));
    expect(b.asp.isSparsityEnabled()).toBe(true);
    const w = b.model.linears[1]!.weight;
    const mask = b.asp.sparseParameters[0]!.mask.data;
    train(b.model, b.optimizer, DIMS, 3, new MT19937(3), () => {
      for (let i = 0; i < w.size; i++) expect(mask[i] === 0 && w.data[i] !== 0).toBe(false);
    });
    // The restored pruned values came through the file too.
    b.asp.restorePrunedWeights();
    expect(w.data.some((v, i) => mask[i] === 1 && v !== 0)).toBe(true);
  });

  it('loading an ASP checkpoint into an unprepared model fails with the explanatory error', async () => {
    const a = part1('1:4');
    const path = join(dir, 'unprepared.ckpt');
    await saveCheckpoint(path, a.model);
    const plain = new ToyModel(DIMS.batch, DIMS.inputs, DIMS.hidden, DIMS.outputs, 4, new MT19937(1));
    const err = await loadCheckpoint(path, plain).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as Error).message).toMatch(/linear_layer_2.__weight_mma_mask/);
    expect((err as Error).message).toMatch(
      /prepare this model the same way \(initModelForPruning\) before loadStateDict/,
    );
  });
});

describe("apex's checkpoint scenario, resumed in a fresh process", () => {
  it(
    'm4n2_1d and m4n2_2d_best: part1 + part2 is bit-identical to one uninterrupted run',
    { timeout: 60_000 },
    async () => {
      const patterns = ['m4n2_1d', 'm4n2_2d_best'];
      const reference = new Map<string, Map<string, Float32Array>>();
      for (const pattern of patterns) {
        const p = part1(pattern);
        await saveCheckpoint(join(dir, `${pattern}.ckpt`), p.model, { optimizer: p.optimizer });
        resume(p); // the uninterrupted run goes on from the same objects
        reference.set(pattern, new Map([...p.model.stateDict()].map(([k, t]) => [k, t.data])));
      }
      const script = join(import.meta.dirname, 'scripts', 'resume.ts');
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, dir, ...patterns], { encoding: 'utf8' });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const lines = child.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { pattern: string; before: boolean; after: boolean });
      expect(lines).toEqual(patterns.map((pattern) => ({ pattern, before: false, after: true })));
      for (const pattern of patterns) {
        const file = await loadSafetensors(join(dir, `${pattern}.final.safetensors`));
        const ref = reference.get(pattern)!;
        expect([...file.tensors.keys()].sort()).toEqual([...ref.keys()].sort());
        for (const [key, stored] of file.tensors) {
          expect(sameBits(stored.data as Float32Array, ref.get(key)!), `${pattern} ${key}`).toBe(true);
        }
      }
      expect(STEPS.resumed).toBeGreaterThan(0);
    },
  );
});
