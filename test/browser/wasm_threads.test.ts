import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, freshLibraryBundle, openPage } from './harness.js';

/**
 * The wasm backend's threads in a browser (dist/browser/sparse24.js in headless Chromium): Web
 * Workers on one shared memory when the page is cross-origin isolated, one thread with a reason when
 * it is not. In a page's main thread, which may not block, the workers start in the background
 * (`await wasmReady()`) and the caller spins while they work; in a Web Worker it sleeps in
 * Atomics.wait. Either way the threaded results are bit-identical to one thread's (each output
 * element is computed by one thread in the same order) and agree with the reference backend.
 */

/** The page (or a worker) computing a Linear, a 2:4 sparse Linear and a Conv2d on `threads` threads. */
const WORKLOAD = `
async function threadedRun(s, threads) {
  s.manualSeed(3);
  const x = s.randn([64, 512]);
  const w = s.randn([256, 512]);
  const mask = s.createMask(w, 'm4n2_1d');
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) w.data[i] = 0;
  const cw = s.compressWeight(w.data, mask, w.shape);
  const cx = s.randn([4, 16, 24, 24]);
  const k = s.randn([32, 16, 3, 3]);
  const run = () =>
    s.noGrad(() => ({
      linear: s.linear(x, w).data,
      sparse: s.sparseLinear(x, cw).data,
      conv: s.conv2d(cx, k, null, { padding: 1 }).data,
    }));
  s.setWasmThreads(threads);
  s.setBackend('wasm');
  const starting = s.wasmInfo();
  const info = await s.wasmReady();
  const many = run();
  const parallelCalls = s.wasmInfo().parallelCalls;
  s.setWasmThreads(1);
  const one = run();
  s.setBackend('reference');
  const ref = run();
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const err = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / (1 + Math.abs(b[i]))), 0);
  const keys = ['linear', 'sparse', 'conv'];
  return {
    starting: { threads: starting.threads, threadNote: starting.threadNote },
    info: { threads: info.threads, threadNote: info.threadNote },
    parallelCalls,
    identical: Object.fromEntries(keys.map((k) => [k, same(many[k], one[k])])),
    err: Object.fromEntries(keys.map((k) => [k, err(many[k], ref[k])])),
  };
}`;

interface Outcome {
  starting: { threads: number; threadNote: string | null };
  info: { threads: number; threadNote: string | null };
  parallelCalls: number;
  identical: Record<'linear' | 'sparse' | 'conv', boolean>;
  err: Record<'linear' | 'sparse' | 'conv', number>;
}

/** The wasm tests' bound on Node: float32 sums of ≤ 512 terms against the float64 reference. */
const TOLERANCE = 1e-4;

function expectThreaded(r: Outcome, threads: number): void {
  expect(r.info).toEqual({ threads, threadNote: null });
  expect(r.parallelCalls).toBeGreaterThan(0);
  expect(r.identical).toEqual({ linear: true, sparse: true, conv: true });
  for (const e of Object.values(r.err)) expect(e).toBeLessThanOrEqual(TOLERANCE);
}

describe('wasm threads in a cross-origin isolated page', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openPage({ '/sparse24.js': await freshLibraryBundle() });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('the main thread: workers start in the background, then 4 threads give the 1-thread results', async () => {
    const r = (await session.page.evaluate(`(async () => {
      ${WORKLOAD}
      return threadedRun(await import('/sparse24.js'), 4);
    })()`)) as Outcome;
    // Until wasmReady() resolves the kernels run on the page's thread alone, and say so.
    expect(r.starting.threads).toBe(1);
    expect(r.starting.threadNote).toMatch(/3 worker threads are starting.*await wasmReady\(\)/);
    expectThreaded(r, 4);
    expect(session.log).toEqual([]);
  });

  it('a Web Worker running the library (a thread that may block in Atomics.wait): 3 threads', async () => {
    const r = (await session.page.evaluate(`(async () => {
      const source = ${JSON.stringify(WORKLOAD)} + \`
        self.onmessage = async (e) => {
          try {
            postMessage({ ok: true, r: await threadedRun(await import(e.data + '/sparse24.js'), 3) });
          } catch (err) {
            postMessage({ ok: false, error: String(err && err.stack || err) });
          }
        };\`;
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const worker = new Worker(url, { type: 'module' });
      const reply = await new Promise((resolve) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => resolve({ ok: false, error: e.message });
        worker.postMessage(location.origin);
      });
      worker.terminate();
      if (!reply.ok) throw new Error(reply.error);
      return reply.r;
    })()`)) as Outcome;
    expectThreaded(r, 3);
  });
});

describe('wasm in a page that is not cross-origin isolated', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openPage({ '/sparse24.js': await freshLibraryBundle() }, undefined, { isolated: false });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('runs on one thread, says why, and still agrees with the reference', async () => {
    const r = (await session.page.evaluate(`(async () => {
      ${WORKLOAD}
      return { isolated: crossOriginIsolated, shared: typeof SharedArrayBuffer, ...(await threadRun()) };
      async function threadRun() { return threadedRun(await import('/sparse24.js'), 4); }
    })()`)) as Outcome & { isolated: boolean; shared: string };
    expect(r.isolated).toBe(false);
    expect(r.shared).toBe('undefined');
    expect(r.info.threads).toBe(1);
    expect(r.info.threadNote).toMatch(
      /running on 1 thread instead of 4: SharedArrayBuffer is unavailable \(a browser page must be cross-origin isolated/,
    );
    expect(r.parallelCalls).toBe(0);
    expect(r.identical).toEqual({ linear: true, sparse: true, conv: true });
    for (const e of Object.values(r.err)) expect(e).toBeLessThanOrEqual(TOLERANCE);
  });
});
