import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/index.js';
import { main } from '../../src/cli/main.js';
import { capture } from './helpers.js';

describe('sparse24 bench', () => {
  it('measures dense and 2:4 rows of a backend in one run and derives the speedup from them', async () => {
    const c = capture();
    const code = await main(
      ['bench', '--quick', '--only', 'gemm-256', '--backends', 'reference', '--no-peers', '--json'],
      c.io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(c.out.join('')) as BenchReport;
    expect(report.rows.map((r) => [r.caseId, r.backend, r.variant])).toEqual([
      ['gemm-256', 'reference', 'dense'],
      ['gemm-256', 'reference', '2:4'],
    ]);
    const [dense, sparse] = report.rows as [BenchReport['rows'][0], BenchReport['rows'][0]];
    expect(sparse.sparseSpeedup).toBeCloseTo(dense.medianMs / sparse.medianMs, 10);
    expect(dense.gflops).toBeCloseTo((2 * 256 ** 3) / (dense.medianMs * 1e6), 6);
    expect(report.machine.cpus).toBeGreaterThan(0);
  });

  it('rejects an unknown suite or backend with exit 2', async () => {
    const a = capture();
    expect(await main(['bench', '--suite', 'fast'], a.io)).toBe(2);
    expect(a.err[0]).toMatch(/--suite/);
    const b = capture();
    expect(await main(['bench', '--backends', 'tpu', '--threads', '3'], b.io)).toBe(2);
    expect(b.err[0]).toBe(
      "sparse24: --backends: unknown backend 'tpu'; expected reference, fast, wasm/1t, wasm/3t, gpu/webasm, gpu/cpu",
    );
    const d = capture();
    expect(await main(['bench', '--threads', '0'], d.io)).toBe(2);
    expect(d.err[0]).toBe("sparse24: --threads: expected an integer in 1..256, got '0'");
  });

  it('an --only that names no case of the run is exit 2 naming the valid cases, before measuring anything', async () => {
    const a = capture();
    expect(await main(['bench', '--only', 'nope'], a.io)).toBe(2);
    expect(a.err).toEqual([
      "sparse24: --only: unknown case 'nope'; expected gemm-256, gemm-512, gemm-1024, linear-64x1024x1024, linear-256x1024x1024, linear-1x4096x4096, conv2d-resnet",
    ]);
    const b = capture();
    expect(await main(['bench', '--quick', '--only', 'gemm-256,gemm-512'], b.io)).toBe(2);
    expect(b.err).toEqual([
      "sparse24: --only: case 'gemm-512' is not part of a --quick run; with --quick the cases are gemm-256, linear-1x4096x4096",
    ]);
    const c = capture();
    expect(await main(['bench', '--only', ','], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/^sparse24: --only: expected comma-separated case ids: gemm-256, /);
  });
});
