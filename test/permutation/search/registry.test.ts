/**
 * The search-strategy registry: built-ins fixed, user strategies registered once and then accepted
 * by searchPermutation, permuteModel and the permute command.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../../src/cli/command.js';
import { main } from '../../../src/cli/main.js';
import { serializeNpy } from '../../../src/io/index.js';
import { Linear, Module, ReLU } from '../../../src/nn/index.js';
import {
  SEARCH_STRATEGIES,
  type SearchInput,
  type SearchStrategyImpl,
  permuteModel,
  registerSearchStrategy,
  searchPermutation,
  searchStrategyNames,
  unregisterSearchStrategy,
} from '../../../src/permutation/index.js';
import { MT19937, type Tensor, ValueError, rand } from '../../../src/tensor/index.js';
import * as api from '../../../src/index.js';
import { expectClose, forward, randomize } from '../model/helpers.js';

const BUILTINS = ['osg', 'channel-swap', 'progressive', 'random', 'exhaustive'];

/** Reverses each quad of columns: a valid permutation anyone can check by eye. */
function reverseQuads(calls: SearchInput[]): SearchStrategyImpl {
  return {
    search(input) {
      calls.push(input);
      const permutation = Int32Array.from({ length: input.cols }, (_v, j) => j - (j % 4) + 3 - (j % 4));
      return { permutation, counted: true };
    },
  };
}

function matrix(rows: number, cols: number, seed = 1): Float32Array {
  const g = new MT19937(seed);
  return Float32Array.from({ length: rows * cols }, () => g.nextDouble());
}

afterEach(() => {
  for (const name of searchStrategyNames()) if (!BUILTINS.includes(name)) unregisterSearchStrategy(name);
});

describe('search strategy registry', () => {
  it('lists the built-ins in order, and SEARCH_STRATEGIES is that list', () => {
    expect(searchStrategyNames()).toEqual(BUILTINS);
    expect([...SEARCH_STRATEGIES]).toEqual(BUILTINS);
    expect(api.registerSearchStrategy).toBe(registerSearchStrategy);
    expect(api.searchStrategyNames).toBe(searchStrategyNames);
  });

  it('refuses to replace or remove a built-in, and a second registration without replace', () => {
    const impl = reverseQuads([]);
    for (const name of BUILTINS) {
      expect(() => registerSearchStrategy(name, impl)).toThrow(ValueError);
      expect(() => registerSearchStrategy(name, impl, { replace: true })).toThrow(/built in and cannot be replaced/);
      expect(() => unregisterSearchStrategy(name)).toThrow(/built in and cannot be removed/);
    }
    registerSearchStrategy('reverse-quads', impl);
    expect(() => registerSearchStrategy('reverse-quads', impl)).toThrow(/registered already/);
    registerSearchStrategy('reverse-quads', impl, { replace: true });
    expect(searchStrategyNames()).toEqual([...BUILTINS, 'reverse-quads']);
  });

  it('runs a user strategy through searchPermutation with the checked options, rng and clock', () => {
    const calls: SearchInput[] = [];
    registerSearchStrategy('reverse-quads', reverseQuads(calls));
    const m = matrix(4, 8);
    const r = searchPermutation(m, 4, 8, { strategy: 'reverse-quads', seed: 7, escapes: 2, timeLimit: 5 });
    expect([...r.permutation]).toEqual([3, 2, 1, 0, 7, 6, 5, 4]);
    expect(r.strategy).toBe('reverse-quads');
    expect(r.stopped).toBe('budget');
    expect(r.permuted).toBeCloseTo(r.default24, 4); // reversing inside a quad keeps the same 2:4 groups
    expect(calls).toHaveLength(1);
    const input = calls[0]!;
    expect([input.rows, input.cols, input.escapes]).toEqual([4, 8, 2]);
    expect(input.options.seed).toBe(7);
    expect(input.clock.timeLimitSeconds).toBe(5);
    expect(input.rng.nextDouble()).toBe(new MT19937(7).nextDouble());
  });

  it('checks the permutation a user strategy returns', () => {
    registerSearchStrategy('broken', { search: () => ({ permutation: Int32Array.of(0, 0, 1, 2), counted: false }) });
    expect(() => searchPermutation(matrix(2, 4), 2, 4, { strategy: 'broken' })).toThrow(ValueError);
  });

  it('names the registered strategies when the name is unknown', () => {
    registerSearchStrategy('reverse-quads', reverseQuads([]));
    expect(() => searchPermutation(matrix(2, 8), 2, 8, { strategy: 'nope' })).toThrow(ValueError);
    expect(() => searchPermutation(matrix(2, 8), 2, 8, { strategy: 'nope' })).toThrow(
      /unknown search strategy 'nope'; available: osg, channel-swap, progressive, random, exhaustive, reverse-quads/,
    );
  });

  it('is used by permuteModel through its search options', () => {
    class Mlp extends Module {
      readonly fc1 = this.registerModule('fc1', new Linear(8, 16));
      readonly act = this.registerModule('act', new ReLU());
      readonly fc2 = this.registerModule('fc2', new Linear(16, 8));
      forward(x: Tensor): Tensor {
        return this.fc2.call(this.act.call(this.fc1.call(x)));
      }
    }
    const calls: SearchInput[] = [];
    registerSearchStrategy('reverse-quads', reverseQuads(calls));
    const model = new Mlp();
    randomize(model, 3);
    const x = rand([3, 8], { generator: new MT19937(2) });
    const before = forward(model, x);
    const report = permuteModel(model, x, { search: { strategy: 'reverse-quads' } });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.cols === 16)).toBe(true); // fc2's input channels, the one free class
    expect(report.permutedC).toContain('fc2.weight');
    expectClose(forward(model, x), before);
  });

  it('is offered by the permute command (choices and help)', async () => {
    registerSearchStrategy('reverse-quads', reverseQuads([]));
    const dir = mkdtempSync(join(tmpdir(), 'sparse24-strategy-'));
    const npy = join(dir, 'm.npy');
    writeFileSync(npy, serializeNpy({ dtype: 'F32', shape: [4, 8], data: matrix(4, 8) }));
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIO = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
    expect(await main(['permute', npy, '--strategy', 'reverse-quads', '--json'], io)).toBe(0);
    const r = JSON.parse(out[0]!) as { permutation: number[]; stopped: string };
    expect(r.permutation).toEqual([3, 2, 1, 0, 7, 6, 5, 4]);
    expect(r.stopped).toBe('budget');
    out.length = 0;
    expect(await main(['permute', '--help'], io)).toBe(0);
    expect(out.join('\n')).toContain('osg | channel-swap | progressive | random | exhaustive | reverse-quads');
  });
});
