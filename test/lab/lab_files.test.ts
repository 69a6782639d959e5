/**
 * The lab page given files, in headless Chromium: a real .safetensors, .npy and .onnx, written by
 * the library's own writers from known matrices, reach the page through a real drop (a DataTransfer
 * holding a File, dispatched on the drop zone) or the file <input> (puppeteer's uploadFile). The
 * page must then show that weight, with mask statistics equal to what the library computes for the
 * same matrix here in Node; broken files must give a visible error and leave the weight shown as
 * it was. Also checks that the permutation search moves the columns while it runs.
 *
 * The page is opened with ?bench=off: section 5 (the kernel benchmark) is test/lab/lab.test.ts's.
 * Waits poll on a timer: puppeteer's default polls on animation frames, which a headless page may
 * not paint for seconds while nothing on it changes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Linear,
  MT19937,
  ReLU,
  Sequential,
  onnxLayerWeights,
  parseOnnx,
  randn,
  searchPermutation,
  serializeNpy,
  serializeSafetensors,
} from '../../src/index.js';
import { exportOnnx } from '../../src/nn/onnx/index.js';
import { expectMasksOf as expectMasksOfWeight } from './expected_masks.js';
import { type LabSession, openLab } from './lab_session.js';

/** The parts of `window.sparse24Results` (src/lab/page/results.ts) this test reads. */
interface LabResults {
  done: boolean;
  error: string | null;
  weight: { name: string; shape: number[]; source: string } | null;
  weightChoices: string[];
  weightsShown: number;
  fileError: string | null;
  masks: { pattern: string; keptFraction: number; keptMagnitude: number; violations: number; error: string | null }[];
  permutation: {
    default24: number;
    permuted: number;
    stopped: string;
    passes: number;
    drawn: number;
    keptSequence: number[];
    order: number[];
  } | null;
}

let lab: LabSession;
let page: Page;
let dir: string;
let pageErrors: string[];

const results = (): Promise<LabResults> => page.evaluate('window.sparse24Results') as Promise<LabResults>;

function gaussian(rows: number, cols: number, seed: number): Float32Array {
  const g = new MT19937(seed);
  return Float32Array.from({ length: rows * cols }, () => g.nextGauss());
}

function expectMasksOf(r: LabResults, data: Float32Array, shape: number[]): void {
  expectMasksOfWeight(r.masks, data, shape);
}

/** Drops `bytes` as a file named `name` on the page's drop zone: a DataTransfer with a File in it. */
async function dropFile(name: string, bytes: Uint8Array): Promise<void> {
  const b64 = Buffer.from(bytes).toString('base64');
  // A string, so the page-side code is the browser's, not typed against Node's globals.
  await page.evaluate(`(() => {
    const raw = atob(${JSON.stringify(b64)});
    const data = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], ${JSON.stringify(name)}));
    const zone = document.getElementById('drop');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  })()`);
}

/** Chooses `bytes`, saved as `name`, with the page's file <input>. */
async function chooseFile(name: string, bytes: Uint8Array): Promise<void> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  // Typed loosely: this test is compiled without the DOM types that ElementHandle<HTMLInputElement> names.
  const input = (await page.$('#file-input')) as unknown as { uploadFile(...paths: string[]): Promise<void> } | null;
  expect(input).not.toBeNull();
  await input!.uploadFile(path);
}

/** Waits until `count` weights have been shown to the end (masks, block, permutation). */
async function shown(count: number): Promise<LabResults> {
  await page.waitForFunction(`window.sparse24Results.weightsShown >= ${count}`, { timeout: 30_000, polling: 50 });
  return results();
}

const text = (selector: string): Promise<string> => page.$eval(selector, (e) => e.textContent ?? '') as Promise<string>;

/** Gives the page a broken file and checks the error shows while everything else stays as it was. */
async function expectRefused(give: () => Promise<void>, name: string, why: RegExp): Promise<void> {
  const before = await results();
  const heading = await text('#weight-view');
  await give();
  await page.waitForFunction(`document.getElementById('file-error').textContent.includes(${JSON.stringify(name)})`, {
    timeout: 10_000,
    polling: 50,
  });
  const shownError = await text('#file-error');
  expect(shownError).toMatch(why);
  expect(shownError).toContain('The weight shown is unchanged');
  expect(
    await page.$eval('#file-error', (e) => (e as unknown as { offsetHeight: number }).offsetHeight),
  ).toBeGreaterThan(0);
  const after = await results();
  expect(after.fileError).toBe(shownError);
  expect(after.weight).toEqual(before.weight);
  expect(after.weightChoices).toEqual(before.weightChoices);
  expect(after.masks).toEqual(before.masks);
  expect(after.permutation).toEqual(before.permutation);
  expect(after.weightsShown).toBe(before.weightsShown);
  expect(await text('#weight-view')).toBe(heading);
  expect(pageErrors).toEqual([]);
}

// A 32 × 64 random matrix (osg takes several passes on it), saved as .npy.
const NPY = { rows: 32, cols: 64, data: gaussian(32, 64, 3) };
// Several tensors; serializeSafetensors orders them by dtype (F32 first), then name.
const SAFETENSORS = {
  'a.bias': { dtype: 'F32', shape: [8], data: gaussian(1, 8, 1) },
  'b.odd.weight': { dtype: 'F32', shape: [6, 6], data: gaussian(6, 6, 2) },
  'c.proj.weight': { dtype: 'F32', shape: [12, 16], data: gaussian(12, 16, 4) },
  'd.conv.weight': { dtype: 'F32', shape: [4, 8, 3, 3], data: gaussian(4, 8 * 9, 5) },
  'e.ids': { dtype: 'I32', shape: [4, 8], data: Int32Array.from({ length: 32 }, (_, i) => i) },
} as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparse24-lab-files-'));
  lab = await openLab([], '?bench=off', 45_000);
  ({ page, errors: pageErrors } = lab);
}, 90_000);

afterAll(async () => {
  await lab?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('sparse24 lab: weights from files', () => {
  it('moves the columns during the permutation search, not only at the end', async () => {
    const r = await results();
    expect(r.error).toBeNull();
    expect(r.weight!.source).toBe('demo checkpoint');
    expect(r.weightsShown).toBe(1);
    const p = r.permutation!;
    expect(p.passes).toBeGreaterThan(2);
    expect(p.drawn).toBeGreaterThan(2); // more than one order drawn before the result
    expect(p.keptSequence).toHaveLength(p.drawn + 1);
    expect(p.keptSequence[0]).toBe(p.default24);
    for (let i = 1; i < p.keptSequence.length; i++)
      expect(p.keptSequence[i]!).toBeGreaterThanOrEqual(p.keptSequence[i - 1]!);
    expect(p.keptSequence.at(-1)).toBe(p.permuted);
    expect(p.permuted).toBeGreaterThan(p.default24);
    expect(await text('#permute')).toMatch(/after pass \d+: /);
  });

  it('reads a dropped .npy: its name, shape, masks and permutation are the library’s for that matrix', async () => {
    const bytes = serializeNpy({ dtype: 'F32', shape: [NPY.rows, NPY.cols], data: NPY.data });
    await dropFile('matrix.npy', bytes);
    const r = await shown(2);
    expect(r.weight).toEqual({ name: 'matrix.npy', shape: [NPY.rows, NPY.cols], source: 'file matrix.npy' });
    expect(r.weightChoices[0]).toBe('matrix.npy [32, 64]');
    expect(r.fileError).toBeNull();
    expectMasksOf(r, NPY.data, [NPY.rows, NPY.cols]);
    expect(await text('#weight-view')).toContain('matrix.npy [32, 64]');
    expect(await page.$eval('#weight-select', (e) => (e as unknown as { value: string }).value)).toBe('0');

    // The search the page ran one pass at a time ends where one searchPermutation call ends.
    const node = searchPermutation(NPY.data, NPY.rows, NPY.cols, { timeLimit: 60 });
    const p = r.permutation!;
    expect(p.stopped).toBe('converged');
    expect(p.order).toEqual([...node.permutation]);
    expect(p.permuted).toBe(node.permuted);
    expect(p.default24).toBe(node.default24);
    expect(p.drawn).toBeGreaterThan(2);
    expect(p.keptSequence.at(-1)).toBe(node.permuted);
    for (let i = 1; i < p.keptSequence.length; i++)
      expect(p.keptSequence[i]!).toBeGreaterThanOrEqual(p.keptSequence[i - 1]!);
  });

  it('lists every usable weight of a dropped .safetensors, shows the first, and shows another when picked', async () => {
    const bytes = serializeSafetensors(SAFETENSORS as unknown as Parameters<typeof serializeSafetensors>[0]);
    await dropFile('model.safetensors', bytes);
    let r = await shown(3);
    expect(r.weight).toEqual({ name: 'c.proj.weight', shape: [12, 16], source: 'file model.safetensors' });
    // The file's usable weights first, in file order; the matrix.npy group is replaced; built-ins stay.
    expect(r.weightChoices.slice(0, 2)).toEqual(['c.proj.weight [12, 16]', 'd.conv.weight [4, 8, 3, 3]']);
    expect(r.weightChoices.some((c) => c.startsWith('matrix.npy'))).toBe(false);
    expect(r.weightChoices.some((c) => c.startsWith('classifier.fc1.weight'))).toBe(true);
    expect(r.weightChoices.some((c) => c.startsWith('random 32×64'))).toBe(true);
    expectMasksOf(r, SAFETENSORS['c.proj.weight'].data, [12, 16]);
    const note = await text('#file-note');
    expect(note).toContain('2 usable weight(s), the first shown');
    expect(note).toContain('a.bias [8]: rank 1');
    expect(note).toContain('b.odd.weight [6, 6]: 6 input channels, not a multiple of 4');
    expect(note).toContain('e.ids [4, 8]: I32, not a float');

    await page.select('#weight-select', '1');
    r = await shown(4);
    expect(r.weight).toEqual({ name: 'd.conv.weight', shape: [4, 8, 3, 3], source: 'file model.safetensors' });
    expectMasksOf(r, SAFETENSORS['d.conv.weight'].data, [4, 8, 3, 3]);
    expect(await text('#weight-view')).toContain('d.conv.weight [4, 8, 3, 3]');
  });

  it('reads an .onnx chosen with the file input: the exported Linear weights, in node order', async () => {
    const model = new Sequential(new Linear(16, 8), new ReLU(), new Linear(8, 4));
    const path = join(dir, 'export.onnx');
    await exportOnnx(model, path, { exampleInput: randn([2, 16]) });
    const bytes = new Uint8Array(await readFile(path));
    const layers = onnxLayerWeights(parseOnnx(bytes, 'mlp.onnx'));
    expect(layers.map((l) => l.tensor.shape)).toEqual([
      [8, 16],
      [4, 8],
    ]);
    const first = (model.children()[0] as Linear).weight;
    expect([...(layers[0]!.tensor.data as Float32Array)]).toEqual([...first.data]);

    await chooseFile('mlp.onnx', bytes);
    const r = await shown(5);
    expect(r.weight).toEqual({ name: layers[0]!.name, shape: [8, 16], source: 'file mlp.onnx' });
    expect(r.weightChoices.slice(0, 2)).toEqual([`${layers[0]!.name} [8, 16]`, `${layers[1]!.name} [4, 8]`]);
    expectMasksOf(r, first.data, [8, 16]);
  });

  it('refuses broken files with a visible error and keeps the weight shown', async () => {
    const good = serializeSafetensors(SAFETENSORS as unknown as Parameters<typeof serializeSafetensors>[0]);
    await expectRefused(
      () => dropFile('truncated.safetensors', good.subarray(0, good.length - 40)),
      'truncated.safetensors',
      /Could not read truncated\.safetensors: .*tensor data should be \d+ bytes/,
    );
    await expectRefused(
      () =>
        chooseFile(
          'garbage.onnx',
          Uint8Array.from({ length: 500 }, (_, i) => (i * 37 + 11) & 255),
        ),
      'garbage.onnx',
      /Could not read garbage\.onnx: .*not a valid ONNX model/,
    );
    await expectRefused(
      () =>
        dropFile('short.npy', serializeNpy({ dtype: 'F32', shape: [8, 16], data: gaussian(8, 16, 9) }).subarray(0, 60)),
      'short.npy',
      /Could not read short\.npy: .*runs past the end of the file/,
    );
    await expectRefused(
      () => dropFile('vector.npy', serializeNpy({ dtype: 'F32', shape: [3, 6], data: gaussian(3, 6, 9) })),
      'vector.npy',
      /no float weight of rank >= 2 with input channels divisible by 4 \(vector\.npy \[3, 6\]: 6 input channels/,
    );
    await expectRefused(
      () => dropFile('nan.npy', serializeNpy({ dtype: 'F32', shape: [4, 8], data: new Float32Array(32).fill(NaN) })),
      'nan.npy',
      /holds NaN or ±Inf/,
    );
    await expectRefused(
      () => dropFile('notes.txt', new TextEncoder().encode('hello')),
      'notes.txt',
      /expected a \.safetensors, \.npy or \.onnx file/,
    );

    // A good file afterwards clears the error.
    const before = (await results()).weightsShown;
    await dropFile('matrix.npy', serializeNpy({ dtype: 'F32', shape: [NPY.rows, NPY.cols], data: NPY.data }));
    const r = await shown(before + 1);
    expect(r.weight!.name).toBe('matrix.npy');
    expect(r.fileError).toBeNull();
    expect(await text('#file-error')).toBe('');
    expect(pageErrors).toEqual([]);
  });

  it('labels the masks table plainly, with a note column only when a pattern does not apply', async () => {
    const head = (): Promise<string[]> =>
      page.$$eval('#masks table th', (ths) => ths.map((t) => t.textContent ?? '')) as Promise<string[]>;
    expect(await head()).toEqual([
      'pattern',
      'share of Σ|w| kept',
      'Σ|w| kept',
      'groups of 4 keeping > 2 (TensorRT rejects)',
    ]);
    // An N:M the weight cannot take (32 × 64: 64 columns are not a multiple of 24).
    const before = (await results()).weightsShown;
    const nm = await page.$('input[title^="an \'N:M\'"]');
    await nm!.click({ count: 3 });
    await nm!.type('2:24');
    await page.keyboard.press('Tab');
    const r = await shown(before + 1);
    expect(await head()).toEqual([
      'pattern',
      'share of Σ|w| kept',
      'Σ|w| kept',
      'groups of 4 keeping > 2 (TensorRT rejects)',
      'note',
    ]);
    expect(r.masks[2]!.pattern).toBe('2:24');
    expect(r.masks[2]!.error).not.toBeNull();
    expect(await text('#masks table')).toContain('not applicable: ');
    expect(pageErrors).toEqual([]);
  });
  it('a weight picked while a search runs replaces it: only the newest is published', async () => {
    const r0 = await results();
    const fc1 = r0.weightChoices.findIndex((c) => c.startsWith('classifier.fc1.weight'));
    const planted = r0.weightChoices.findIndex((c) => c.startsWith('planted ties'));
    expect(fc1).toBeGreaterThan(0);
    expect(planted).toBeGreaterThan(0);
    await page.select('#weight-select', String(fc1)); // a search of a dozen passes and their moves
    // Wait until that search has drawn its first pass, so the next pick lands mid-search.
    await page.waitForFunction(
      `window.sparse24Results.weight.name === 'classifier.fc1.weight' &&
        document.getElementById('status').textContent === 'searching a channel permutation' &&
        document.getElementById('permute').textContent.includes('after pass')`,
      { timeout: 20_000, polling: 20 },
    );
    expect((await results()).permutation).toBeNull();
    await page.select('#weight-select', String(planted));
    const r = await shown(r0.weightsShown + 1);
    expect(r.weight).toEqual({ name: 'planted ties 32×64', shape: [32, 64], source: 'planted ties' });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the replaced search must not publish late
    const later = await results();
    expect(later.weightsShown).toBe(r0.weightsShown + 1);
    expect(later.weight!.name).toBe('planted ties 32×64');
    expect(later.permutation!.order).toHaveLength(64);
    expect(later.permutation!.keptSequence.at(-1)).toBe(later.permutation!.permuted);
    expect(await text('#weight-view')).toContain('planted ties 32×64');
    expect(pageErrors).toEqual([]);
  });
});
