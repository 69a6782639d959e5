import { describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { requestedThreads } from '../../src/tensor/index.js';

function capture(): { io: CommandIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => void out.push(t), err: (t) => void err.push(t) }, out, err };
}

describe('sparse24 command', () => {
  it('--help lists every command and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    const help = c.out.join('\n');
    expect(help).toMatch(/^Usage: sparse24 <command>/);
    expect(help).toContain('example');
    expect(help).toContain('info');
    expect(help).toContain('Exit codes');
  });

  it('no command prints help and exits 2 (usage)', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(2);
    expect(c.out.join('')).toContain('Usage:');
  });

  it('an unknown command is a one-line usage error with exit 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err).toEqual(["sparse24: unknown command 'frobnicate' (see sparse24 --help)"]);
  });

  it('an unknown option and a bad value are usage errors with exit 2, no stack trace', async () => {
    const a = capture();
    expect(await main(['example', '--nope'], a.io)).toBe(2);
    expect(a.err.join('\n')).toMatch(/^sparse24: example: Unknown option '--nope'/);
    const b = capture();
    expect(await main(['example', '--epochs', 'x'], b.io)).toBe(2);
    expect(b.err).toEqual(["sparse24: --epochs must be an integer ≥ 1, got 'x'"]);
    expect(b.err.join('')).not.toContain('    at ');
  });

  it('an unknown backend is reported as bad input', async () => {
    const c = capture();
    expect(await main(['example', '--backend', 'tpu', '--epochs', '1'], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/unknown backend 'tpu'; available: reference, fast, wasm, gpu/);
  });

  it("<command> --help prints that command's help", async () => {
    const c = capture();
    expect(await main(['example', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/^Usage: sparse24 example/);
  });

  it('info --json reports every backend', async () => {
    const c = capture();
    expect(await main(['info', '--json'], c.io)).toBe(0);
    const info = JSON.parse(c.out[0]!) as {
      backends: string[];
      gpuModes: Record<string, string>;
      wasm: { simd: boolean; threads: number };
    };
    expect(info.backends).toEqual(['reference', 'fast', 'wasm', 'gpu']);
    expect(info.gpuModes['webasm']).toBe('available');
    expect(info.wasm.simd).toBe(true);
    expect(info.wasm.threads).toBe(requestedThreads());
  });

  it('example trains the digits MLP to a useful accuracy, reproducibly for a seed', async () => {
    const run = async (): Promise<{ accuracy: number; trainLoss: number }> => {
      const c = capture();
      expect(await main(['example', '--epochs', '5', '--json', '--seed', '3'], c.io)).toBe(0);
      return JSON.parse(c.out[0]!) as { accuracy: number; trainLoss: number };
    };
    const first = await run();
    expect(first.accuracy).toBeGreaterThanOrEqual(0.9);
    const second = await run();
    expect(second).toEqual({ ...second, accuracy: first.accuracy, trainLoss: first.trainLoss });
  });
});
