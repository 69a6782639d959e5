/**
 * `sparse24 lab` end to end: the command runs as a child process (`--port 0 --no-open`), headless
 * Chromium loads the page, and the test reads what the page published in `window.sparse24Results`.
 * A missing Chromium fails the test with the path it looked for: the lab is the browser story, so
 * skipping silently would hide it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors, toFloat32 } from '../../src/index.js';
import { type MaskRow, expectMasksOf } from './expected_masks.js';
import { type LabSession, openLab } from './lab_session.js';

const SCREENSHOT = join('test', 'lab', 'lab-screenshot.png');

interface ModeRow {
  mode: string;
  threads?: number;
  threadsRan: number | null;
  threadNote: string | null;
  ran: boolean;
  error: string | null;
  denseMs: number | null;
  sparseMs: number | null;
  maxAbsDiffDense: number | null;
  maxAbsDiffSparse: number | null;
  maxAbsDiffModel: number | null;
  modelAccuracy: number | null;
}

/** The parts of the page's `window.sparse24Results` (src/lab/page/results.ts) this test reads. */
interface LabResults {
  done: boolean;
  error: string | null;
  crossOriginIsolated: boolean;
  masks: MaskRow[];
  permutation: { default24: number; permuted: number; progressReports: number } | null;
  weight: { name: string; shape: number[]; source: string } | null;
  weightChoices: string[];
  weightsShown: number;
  block: { indices: number[]; metaMatches: boolean } | null;
  modes: ModeRow[];
  demoModel: {
    testImages: number;
    masksHold: boolean;
    sparseLayers: string[];
    nodeCompressedAccuracy: number | null;
  } | null;
  canvasColours: number[];
}

let lab: LabSession;
let page: Page;
let url: string;
let benchDir: string;
let consoleErrors: string[];

const results = (): Promise<LabResults> => page.evaluate('window.sparse24Results') as Promise<LabResults>;

beforeAll(async () => {
  benchDir = await mkdtemp(join(tmpdir(), 'sparse24-lab-'));
  lab = await openLab(['--bench-out', benchDir], '', 120_000);
  ({ page, url, errors: consoleErrors } = lab);
}, 180_000);

afterAll(async () => {
  await lab?.close();
  if (benchDir !== undefined) await rm(benchDir, { recursive: true, force: true });
});

describe('sparse24 lab', () => {
  it('prints a 127.0.0.1 URL and sends the cross-origin isolation headers', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${url}sparse24.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await fetch(`${url}nothing-here`)).status).toBe(404);
  });

  it('loads without console errors, cross-origin isolated, and draws its heatmaps and tables', async () => {
    expect(consoleErrors).toEqual([]);
    const r = await results();
    expect(r.error).toBeNull();
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.masks.map((m) => m.pattern)).toEqual(['m4n2_1d', 'm4n2_2d_best', '4:8']);
    expect(r.masks[0]!.violations).toBe(0);
    expect(r.masks[0]!.keptFraction).toBeGreaterThan(0.5); // 2 of 4, the larger ones
    expect(r.masks[0]!.keptFraction).toBeLessThan(1);
    expect(r.masks[2]!.violations).toBeGreaterThan(0); // 4:8 keeps 3 or 4 of some groups of four
    expect(r.canvasColours.length).toBeGreaterThanOrEqual(5);
    for (const colours of r.canvasColours) expect(colours).toBeGreaterThan(2);
    expect(await page.$$eval('table', (t) => t.length)).toBeGreaterThanOrEqual(4);
    const shot = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(shot.length).toBeGreaterThan(20_000);
  });

  it('ran the permutation search and explained one compressed block', async () => {
    const r = await results();
    expect(r.permutation!.progressReports).toBeGreaterThan(0);
    expect(r.permutation!.permuted).toBeGreaterThan(r.permutation!.default24);
    expect(r.block!.metaMatches).toBe(true);
    expect(r.block!.indices[0]!).toBeLessThan(r.block!.indices[1]!);
  });

  it('benchmarked reference, wasm on 1 and N threads, gpu.js webgl2 and webgpu, each within tolerance of reference', async () => {
    const r = await results();
    const rows = r.modes;
    const threads = rows[2]?.threads ?? 0;
    expect(threads).toBeGreaterThanOrEqual(2);
    expect(rows.map((m) => m.mode)).toEqual(['reference', 'wasm/1t', `wasm/${threads}t`, 'webgl2', 'webgpu']);
    // The page is cross-origin isolated, so the threaded row really ran on its threads.
    expect(rows.slice(1, 3).map((m) => [m.threadsRan, m.threadNote])).toEqual([
      [1, null],
      [threads, null],
    ]);
    for (const m of rows) {
      // This Chromium has WebGL2 and WebGPU (SwiftShader): every mode must run.
      expect(m.ran, `${m.mode}: ${m.error}`).toBe(true);
      for (const d of [m.maxAbsDiffDense, m.maxAbsDiffSparse, m.maxAbsDiffModel]) expect(d!).toBeLessThanOrEqual(1e-3);
      expect(m.denseMs!).toBeGreaterThan(0);
      expect(m.sparseMs!).toBeGreaterThan(0);
    }
    // The trained demo model, compressed, scores on every mode what it scored on Node: the same weights
    // and images, so at most an image whose two best logits are within float32 noise may differ.
    const demo = r.demoModel!;
    expect(demo.masksHold).toBe(true);
    expect(demo.sparseLayers.length).toBeGreaterThanOrEqual(3);
    expect(demo.nodeCompressedAccuracy!).toBeGreaterThan(0.9); // trained, not random (10 classes)
    for (const m of rows)
      expect(Math.abs(m.modelAccuracy! - demo.nodeCompressedAccuracy!), m.mode).toBeLessThanOrEqual(
        1 / demo.testImages,
      );
    const written = JSON.parse(await readFile(join(benchDir, 'browser.json'), 'utf8')) as { modes: ModeRow[] };
    expect(written.modes.map((m) => m.mode)).toEqual(rows.map((m) => m.mode));
  });

  it('serves /sparse24.js, which runs a compressed Linear in the page', async () => {
    // A string, not a function: vitest rewrites import() inside functions, and this must be the browser's.
    const out = (await page.evaluate(`(async () => {
      const s = await import('/sparse24.js');
      const lin = new s.Linear(16, 8);
      const x = s.randn([4, 16]);
      const mask = s.createMask(lin.weight, 'm4n2_1d');
      for (let i = 0; i < mask.length; i++) if (mask[i] === 0) lin.weight.data[i] = 0;
      const dense = lin.call(x).data;
      const sparseModel = s.toSparseInference(lin, { fromWeights: true });
      const sparse = sparseModel.call(x).data;
      let d = 0;
      for (let i = 0; i < dense.length; i++) d = Math.max(d, Math.abs(dense[i] - sparse[i]));
      return { d, n: sparse.length, sparse: sparseModel instanceof s.SparseLinear };
    })()`)) as { d: number; n: number; sparse: boolean };
    expect(out.n).toBe(32);
    expect(out.d).toBeLessThan(1e-5);
    expect(out.sparse).toBe(true);
  });

  it("then offers the trained demo model's dense layers, and shows one with the library's masks", async () => {
    // The server's dense weights (before pruning), read here with the library, as the page read them.
    const file = parseSafetensors(new Uint8Array(await (await fetch(`${url}demo-dense.safetensors`)).arrayBuffer()));
    const usable = [...file.tensors].filter(([, t]) => t.shape.length >= 2 && t.shape[1]! % 4 === 0);
    // In the file's order (safetensors sorts names): the four layers whose input channels divide by 4.
    expect(usable.map(([n]) => n)).toEqual(['11.weight', '3.weight', '6.weight', '9.weight']);
    const before = await results();
    const labels = usable.map(([n, t]) => `${n} [${t.shape.join(', ')}]`);
    expect(before.weightChoices.slice(-labels.length)).toEqual(labels);
    expect(before.weight!.source).toBe('demo checkpoint'); // adding them did not change the weight shown
    const [name, fc1] = usable[3]!;
    await page.select('#weight-select', String(before.weightChoices.length - labels.length + 3));
    await page.waitForFunction(`window.sparse24Results.weightsShown > ${before.weightsShown}`, {
      timeout: 60_000,
      polling: 50,
    });
    const r = await results();
    expect(r.weight).toEqual({ name, shape: [64, 128], source: 'trained demo model (dense)' });
    const values = toFloat32(fc1);
    // Before pruning: dense, not the checkpoint's 2:4 zeros.
    expect(values.filter((v) => v === 0).length).toBeLessThan(values.length / 100);
    expectMasksOf(r.masks, values, [...fc1.shape]);
  });
});
