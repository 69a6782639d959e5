import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { serializeNpy, serializeSafetensors } from '../../src/io/index.js';
import { MT19937 } from '../../src/tensor/random.js';

function capture(): { io: CommandIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => void out.push(t), err: (t) => void err.push(t) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'sparse24-permute-'));
const g = new MT19937(1);
const seed1 = new Float32Array(128 * 64);
for (let i = 0; i < seed1.length; i++) seed1[i] = g.nextDouble();
const npy = join(dir, 'seed1.npy');
writeFileSync(npy, serializeNpy({ dtype: 'F32', shape: [128, 64], data: seed1 }));

interface Report {
  rows: number;
  cols: number;
  unpruned: number;
  default24: number;
  bound: number;
  permuted: number;
  efficacy: number;
  seconds: number;
  stopped: string;
  permutation: number[];
}

describe('sparse24 permute', () => {
  it('--json on the seed-1 .npy reproduces apex’s window-8 result', async () => {
    const c = capture();
    expect(await main(['permute', npy, '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out[0]!) as Report;
    expect(Object.keys(r)).toEqual([
      'rows',
      'cols',
      'unpruned',
      'default24',
      'bound',
      'permuted',
      'efficacy',
      'seconds',
      'stopped',
      'permutation',
    ]);
    expect([r.rows, r.cols]).toEqual([128, 64]);
    expect(r.stopped).toBe('converged');
    expect(c.err).toEqual([]); // --json: no progress lines
    expect(r.permuted.toFixed(3)).toBe('2919.759');
    expect(r.default24.toFixed(3)).toBe('2852.377');
    expect(r.permutation.slice(0, 8)).toEqual([0, 9, 12, 35, 4, 10, 28, 37]);
  });

  it('reads a 4-D KCRS weight from safetensors by name through the Conv2d view', async () => {
    const w = new Float32Array(2 * 8 * 1 * 2);
    for (let i = 0; i < w.length; i++) w[i] = ((i * 37) % 11) - 5;
    const file = join(dir, 'conv.safetensors');
    writeFileSync(
      file,
      serializeSafetensors({
        'conv.weight': { dtype: 'F32', shape: [2, 8, 1, 2], data: w },
        other: { dtype: 'F32', shape: [1], data: new Float32Array(1) },
      }),
    );
    const c = capture();
    expect(await main(['permute', file, '--tensor', 'conv.weight', '--strategy', 'exhaustive', '--json'], c.io)).toBe(
      0,
    );
    const r = JSON.parse(c.out[0]!) as Report;
    expect([r.rows, r.cols]).toEqual([4, 8]);
    expect(r.permuted).toBeGreaterThanOrEqual(r.default24);
    expect([...r.permutation].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('bad input is one clear message and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['permute'], /expected one FILE/],
      [['permute', npy, '--strategy', 'greedy'], /--strategy must be one of osg, channel-swap/],
      [['permute', npy, '--window', '10'], /--window must be 8, 12 or 16/],
      [['permute', join(dir, 'missing.npy')], /missing\.npy/],
      [['permute', join(dir, 'conv.safetensors')], /holds 2 tensors; choose one with --tensor/],
      [['permute', join(dir, 'conv.safetensors'), '--tensor', 'nope'], /has no tensor 'nope'/],
      [['permute', npy, '--time-limit', 'Infinity'], /--time-limit must be a positive number, got 'Infinity'/],
      [['permute', npy, '--time-limit', 'NaN'], /--time-limit must be a positive number/],
      [['permute', npy, '--time-limit', '0'], /--time-limit must be a positive number/],
      [['permute', npy, '--time-limit=-5'], /--time-limit must be a positive number/],
      [['permute', npy, '--time-limit', ''], /--time-limit must be a positive number/],
    ];
    for (const [argv, msg] of cases) {
      const c = capture();
      expect(await main(argv, c.io)).toBe(2);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(msg);
    }
  });

  it('without --json prints progress on stderr (not only on a TTY) and the stop reason', async () => {
    const c = capture();
    expect(await main(['permute', npy], c.io)).toBe(0);
    expect(c.err.length).toBeGreaterThan(0);
    for (const line of c.err) expect(line).toMatch(/^permute: pass \d+: kept /);
    expect(c.out[0]).toMatch(/^stopped {7}converged$/m);
  });

  it('--time-limit bounds a strategy that would run on: it stops, says so, and returns a permutation', async () => {
    const c = capture();
    expect(await main(['permute', npy, '--strategy', 'progressive', '--time-limit', '0.2', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out[0]!) as Report;
    expect(r.stopped).toBe('time-limit');
    expect(r.permuted).toBeGreaterThanOrEqual(r.default24);
    expect([...r.permutation].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    const h = capture();
    expect(await main(['permute', npy, '--strategy', 'progressive', '--time-limit', '0.2'], h.io)).toBe(0);
    expect(h.out[0]).toMatch(/^stopped {7}time-limit \(0\.2 s reached/m);
    expect(h.err.at(-1)).toMatch(/^permute: progressive: stopped at the time limit of 0\.2 s/);
  });

  it('help says --time-limit bounds every strategy, default 60 s', async () => {
    const c = capture();
    await main(['permute', '--help'], c.io);
    const text = [...c.out, ...c.err].join('\n');
    expect(text).toMatch(/--time-limit S\s+seconds any strategy may search.*\(default 60\)/);
    expect(text).not.toMatch(/progressive: seconds to search/);
  });

  it('rejects a width that is not a multiple of 4', async () => {
    const file = join(dir, 'odd.npy');
    writeFileSync(file, serializeNpy({ dtype: 'F32', shape: [2, 6], data: new Float32Array(12) }));
    const c = capture();
    expect(await main(['permute', file], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/6 columns/);
  });
});
