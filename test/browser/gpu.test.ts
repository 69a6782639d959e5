import { existsSync, mkdirSync, readdirSync as readdir, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRow } from './page.js';
import { type BrowserSession, openPage } from './harness.js';

/**
 * gpu.js on its real targets: every gpu kernel (dense GEMM, conv forward and both backward passes,
 * pooling; sparse Linear, spmm, conv) against the reference on random shapes (fast-check, in the
 * page), and the masked-dense == sparse-forward property for Linear and Conv1d/2d/3d, in WebGL2
 * and WebGPU in headless Chromium (SwiftShader: software, so correctness, not speed).
 *
 * Tolerance |gpu - ref| / (1 + |ref|): the reference accumulates in float64, gpu.js in float32.
 * - webgpu: 1e-4, as on Node: WGSL f32 storage buffers are IEEE float32 end to end.
 * - webgl2, webgl: 1e-4 too. Values travel as 32-bit float textures (`precision: 'single'`), the
 *   shaders compute in GLSL highp float (IEEE float32 on SwiftShader), and indices are floats, exact
 *   below 2^24 (the kernels check that). GLSL leaves highp division and `floor` to the driver:
 *   ANGLE/SwiftShader is exact on these integer quotients; a driver with a looser divide could
 *   need a larger tolerance or show as a wrong index (a large error, which this test would catch).
 * Max-pool argmax must match exactly.
 */
const TOLERANCE = { webgl2: 1e-4, webgl: 1e-4, webgpu: 1e-4 } as const;
const RUNS = 6;

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGE_BUNDLE = join(root, 'dist/browser-test/page.js');
const BUNDLE = join(root, 'dist/browser/sparse24.js');

let session: BrowserSession;

/** Rebuilds dist/browser/sparse24.js when a source file is newer (a stale bundle would test old code). */
function newestSource(dir: string): number {
  let newest = 0;
  const walk = (d: string): void => {
    for (const name of readdir(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else newest = Math.max(newest, s.mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

beforeAll(async () => {
  const { bundleForBrowser } = (await import(join(root, 'tools/build-browser.mjs'))) as {
    bundleForBrowser: (entry: string, outfile: string) => Promise<number>;
  };
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestSource(join(root, 'src'))) {
    await bundleForBrowser(join(root, 'src/index.ts'), BUNDLE);
  }
  mkdirSync(dirname(PAGE_BUNDLE), { recursive: true });
  await bundleForBrowser(join(root, 'test/browser/page.ts'), PAGE_BUNDLE);
  session = await openPage({ '/page.js': PAGE_BUNDLE, '/sparse24.js': BUNDLE });
  await session.page.evaluate(`import('/page.js')`);
});

afterAll(async () => {
  await session?.close();
});

describe.each(Object.entries(TOLERANCE))('gpu.js kernels in Chromium (%s)', (mode, tol) => {
  let rows: CheckRow[] = [];

  beforeAll(async () => {
    rows = (await session.page.evaluate(
      `globalThis.runGpuSuite(${JSON.stringify(mode)}, ${tol}, ${RUNS})`,
    )) as CheckRow[];
    console.log(
      rows.map((r) => `${mode} ${r.check}: max err ${r.maxErr.toExponential(2)} (tol ${r.tol}), ${r.ms} ms`).join('\n'),
    );
  });

  const checks = [
    'edge: gemm K = 4096 (loop limit)',
    'edge: sparse linear, 2048 kept values per row',
    'edge: max pool ties keep the first, NaN wins',
    'edge: the gpu.js backend is the mode asked for',
    'dense gemm',
    'dense conv fwd/bwd',
    'dense pooling fwd/bwd',
    'sparse linear/spmm',
    'sparse conv',
    'forward: sparseLinear == masked linear',
    'forward: sparseConv1d == masked conv1d',
    'forward: sparseConv2d == masked conv2d',
    'forward: sparseConv3d == masked conv3d',
  ];
  it.each(checks)('%s', (name) => {
    const row = rows.find((r) => r.check === name);
    expect(row, `no result for '${name}'; page log:\n${session.log.join('\n')}`).toBeDefined();
    expect(row!.error, `${mode} ${name} failed; page log:\n${session.log.join('\n')}`).toBeNull();
    expect(row!.maxErr).toBeLessThanOrEqual(tol);
  });
});
