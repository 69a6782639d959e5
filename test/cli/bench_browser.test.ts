/**
 * `sparse24 bench --browser` end to end: the CLI (in this process) starts the lab server, runs its
 * bench page in headless Chromium (/usr/bin/chromium or $SPARSE24_CHROMIUM; a missing browser fails
 * the test, never skips it) and writes the report. One quick case (GEMM 256²) keeps it to ~15 s.
 *
 * Tolerances on max |Δ| against the reference backend's output (inputs in [-1, 1), K = 256, so
 * outputs up to ~10): the reference rows are the reference itself (exactly 0); wasm sums in float32
 * in another order than the float64-accumulating reference, a few 1e-6 to 1e-5, so 1e-4; gpu.js
 * webgl2 and webgpu (SwiftShader) 1e-3, the lab page's tolerance (test/browser/gpu.test.ts checks
 * their kernels to 1e-4 relative on small random shapes).
 */
import { existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/index.js';
import { main } from '../../src/cli/main.js';
import { requireChromium } from '../../src/lab/server/chromium.js';
import { runBrowserBench } from '../../src/lab/server/browser_bench.js';
import { ensureAssets, startLabServer } from '../../src/lab/server/index.js';
import { capture, withTmp } from './helpers.js';

const TOLERANCE: Record<string, number> = {
  reference: 0,
  'wasm/1t': 1e-4,
  'gpu/webgl2': 1e-3,
  'gpu/webgpu': 1e-3,
};

beforeAll(() => {
  requireChromium();
  // The page and bundle under test are the current sources, not whatever dist/ held (rebuilt if older).
  ensureAssets();
});

describe('sparse24 bench --browser', () => {
  it('serves the bench page, cross-origin isolated', async () => {
    const server = await startLabServer({ port: 0 });
    try {
      for (const path of ['bench.html', 'bench.js']) {
        const res = await fetch(`${server.url}${path}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      }
      expect(await (await fetch(`${server.url}bench.html`)).text()).toContain('/bench.js');
    } finally {
      await server.close();
    }
  });

  it('measures dense and 2:4 rows of every browser backend, each checked against reference, and writes the report', async () => {
    await withTmp(async (dir) => {
      const c = capture();
      const code = await main(['bench', '--browser', '--quick', '--only', 'gemm-256', '--out', dir, '--json'], c.io);
      expect(code, c.err.join('\n')).toBe(0);
      const file = join(dir, 'browser-all-quick.json');
      expect(existsSync(file)).toBe(true);
      const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
      expect(JSON.parse(c.out.join(''))).toEqual(report);
      expect(report.suite).toBe('all');
      expect(report.quick).toBe(true);
      expect(report.failures).toEqual([]);
      const b = report.machine.browser!;
      expect(b.userAgent).toMatch(/Chrome/);
      expect(b.crossOriginIsolated).toBe(true);
      expect(b.hardwareConcurrency).toBeGreaterThan(0);
      expect(report.machine.cpus).toBeGreaterThan(0);
      for (const [backend, tol] of Object.entries(TOLERANCE)) {
        const of = (variant: string) => report.rows.find((r) => r.backend === backend && r.variant === variant);
        const dense = of('dense');
        const sparse = of('2:4');
        expect(dense, `no dense row for ${backend}; stderr:\n${c.err.join('\n')}`).toBeDefined();
        expect(sparse, `no 2:4 row for ${backend}`).toBeDefined();
        for (const r of [dense!, sparse!]) {
          expect(r.caseId).toBe('gemm-256');
          expect(r.peer).toBe(false);
          expect(Number.isFinite(r.medianMs) && r.medianMs > 0, `${r.implementation}: ${r.medianMs}`).toBe(true);
          expect(r.samples).toBeGreaterThan(0);
          expect(r.gflops).toBeCloseTo((2 * 256 ** 3) / (r.medianMs * 1e6), 6);
          expect(r.maxAbsDiff, r.implementation).toBeLessThanOrEqual(tol);
          expect(r.ratioToBestPeer).toBeNull(); // no peers in a browser
        }
        expect(dense!.sparseSpeedup).toBeNull();
        expect(sparse!.sparseSpeedup).toBeCloseTo(dense!.medianMs / sparse!.medianMs, 10);
      }
      // A wasm row records the threads that ran; the page is cross-origin isolated, so wasm/<n>t ran on n
      // (Web Workers), and there is a threaded row wherever the browser reports more than one core.
      const wasmRows = report.rows.filter((r) => r.backend.startsWith('wasm/'));
      for (const r of wasmRows) expect([r.backend, r.threads]).toEqual([r.backend, Number(/\d+/.exec(r.backend)![0])]);
      if (b.hardwareConcurrency > 1) expect(wasmRows.some((r) => r.threads! > 1)).toBe(true);
      expect(c.err.some((l) => /^browser: gemm-256 \/ sparse24 gpu\/webgpu 2:4: [\d.]+ ms/.test(l))).toBe(true);
    });
  });

  it('rejects unknown and Node-only backends, and a missing Chromium, with exit 2 before measuring', async () => {
    const a = capture();
    expect(await main(['bench', '--browser', '--backends', 'tpu'], a.io)).toBe(2);
    expect(a.err).toEqual([
      "sparse24: --backends: unknown browser backend 'tpu'; expected reference, wasm/1t, wasm/<T>t, gpu/webgl2, gpu/webgpu",
    ]);
    const b = capture();
    expect(await main(['bench', '--browser', '--threads', '3', '--backends', 'gpu/webasm'], b.io)).toBe(2);
    expect(b.err).toEqual([
      "sparse24: --backends: unknown browser backend 'gpu/webasm' ('gpu/webasm' is a Node backend); expected reference, wasm/1t, wasm/3t, gpu/webgl2, gpu/webgpu",
    ]);
    const c = capture();
    expect(await main(['bench', '--browser', '--chromium', '/nonexistent/chromium'], c.io)).toBe(2);
    expect(c.err).toEqual([
      'sparse24: headless Chromium is needed at /nonexistent/chromium, which is missing: apt-get install -y chromium (or set SPARSE24_CHROMIUM to its path)',
    ]);
    const d = capture();
    expect(await main(['bench', '--chromium', '/usr/bin/chromium'], d.io)).toBe(2);
    expect(d.err[0]).toMatch(/--chromium goes with --browser/);
    const e = capture();
    expect(await main(['bench', '--browser', '--timeout', '0'], e.io)).toBe(2);
    expect(e.err[0]).toMatch(/--timeout: expected seconds > 0/);
  });

  it('fails at once, with the error, when the bench page throws (not at --timeout)', async () => {
    await withTmp(async (root) => {
      // A package folder (dist/ only, like an installed one) whose bench page throws on load.
      await cp(join(process.cwd(), 'dist/browser'), join(root, 'dist/browser'), { recursive: true });
      await cp(join(process.cwd(), 'dist/lab'), join(root, 'dist/lab'), { recursive: true });
      await writeFile(join(root, 'dist/lab/bench.js'), "throw new Error('broken on purpose');\n");
      const started = Date.now();
      const run = runBrowserBench({
        suite: 'all',
        quick: true,
        only: ['gemm-256'],
        backends: ['reference'],
        threads: null,
        timeoutMs: 120_000,
        root,
      });
      await expect(run).rejects.toThrow(
        /^sparse24 bench --browser: the bench page threw an uncaught error: .*broken on purpose/,
      );
      expect(Date.now() - started).toBeLessThan(60_000);
    });
  });
});
