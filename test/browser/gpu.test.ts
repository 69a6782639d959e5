import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRow } from './page.js';
import { type BrowserSession, bundleForBrowser, freshLibraryBundle, openPage } from './harness.js';

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

let session: BrowserSession;

beforeAll(async () => {
  const BUNDLE = await freshLibraryBundle();
  mkdirSync(dirname(PAGE_BUNDLE), { recursive: true });
  await bundleForBrowser(join(root, 'test/browser/page.ts'), PAGE_BUNDLE);
  session = await openPage({ '/page.js': PAGE_BUNDLE, '/sparse24.js': BUNDLE });
  await session.page.evaluate(`import('/page.js')`);
});

afterAll(async () => {
  await session?.close();
});

/** Runs in the page against dist/browser/sparse24.js, the file users load. */
const BUNDLE_CHECK = `(async () => {
  const s = await import('/sparse24.js');
  s.manualSeed(1);
  const model = new s.Sequential(new s.Conv2d(3, 4, 3), new s.ReLU(), new s.MaxPool2d(2), new s.Flatten(), new s.Linear(36, 5));
  model.eval();
  const x = s.randn([2, 3, 8, 8]);
  const want = s.noGrad(() => model.call(x)).data;
  // gpu.js's browser build installs globalThis.GPU (not WebGPU's own GPU interface) when evaluated.
  const gpuJsBefore = globalThis.GPU?.prototype?.createKernel !== undefined;
  const err = (got) => Math.max(...want.map((v, i) => Math.abs(v - got[i]) / (1 + Math.abs(v))));
  s.setGpuMode('webgl2');
  s.setBackend('gpu');
  const webgl2 = err(s.noGrad(() => model.call(x)).data);
  s.setGpuMode('webgpu');
  let syncWebgpu = 'no error';
  try {
    s.noGrad(() => model.call(x));
  } catch (e) {
    syncWebgpu = (e instanceof s.BackendError ? 'BackendError: ' : 'other: ') + e.message;
  }
  s.setBackend('reference');
  const webgpu = err((await s.forwardAsync(model, x, { mode: 'webgpu' })).data);
  const gpuJsAfter = globalThis.GPU?.prototype?.createKernel !== undefined;
  return { gpuJsBefore, gpuJsAfter, webgl2, webgpu, syncWebgpu, backends: s.listBackends(), isolated: crossOriginIsolated };
})()`;

describe('the browser harness', () => {
  it('fails, naming the fix, when Chromium is missing (never a silent skip)', async () => {
    await expect(openPage({}, '/nonexistent/chromium')).rejects.toThrow(
      /Chromium is needed at \/nonexistent\/chromium, which is missing: apt-get install -y chromium/,
    );
  });
});

describe('the browser bundle (dist/browser/sparse24.js)', () => {
  it('loads gpu.js only when the gpu backend is used; runs a model in webgl2 and, with forwardAsync, in webgpu', async () => {
    const r = (await session.page.evaluate(BUNDLE_CHECK)) as {
      gpuJsBefore: boolean;
      gpuJsAfter: boolean;
      webgl2: number;
      webgpu: number;
      syncWebgpu: string;
      backends: string[];
      isolated: boolean;
    };
    console.log(`bundle: model max err webgl2 ${r.webgl2.toExponential(2)}, webgpu ${r.webgpu.toExponential(2)}`);
    expect(r.gpuJsBefore).toBe(false);
    expect(r.gpuJsAfter).toBe(true);
    expect(r.isolated).toBe(true);
    expect(r.backends).toContain('gpu');
    expect(r.webgl2).toBeLessThanOrEqual(1e-4);
    expect(r.webgpu).toBeLessThanOrEqual(1e-4);
    expect(r.syncWebgpu).toMatch(
      /^BackendError: gpu.js mode 'webgpu' has no synchronous readback: run the model with 'await forwardAsync/,
    );
  });
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
