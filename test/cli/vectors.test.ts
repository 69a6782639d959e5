import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { type Manifest, type ManifestTensor, buildVectors } from '../../src/cli/util/vectors/build.js';
import { type StoredTensor, loadSafetensors, serializeSafetensors, toFloat32 } from '../../src/io/index.js';
import {
  type CompressedNM,
  type SparseStoredRecord,
  createMask,
  decompress,
  fromCutlass,
  fromCutlass24,
  fromSparse24Bitmask,
  isNM,
  toView,
} from '../../src/sparse/index.js';
import { Tensor, conv1d, conv2d, conv3d, linear, matmul } from '../../src/tensor/index.js';
import { referenceSparseKernels } from '../../src/sparse/kernels/index.js';
import { capture, withTmp } from './helpers.js';

async function writeVectors(dir: string, seed: number): Promise<void> {
  const c = capture();
  expect(await main(['vectors', '--out', dir, '--seed', String(seed)], c.io)).toBe(0);
}

function close(actual: Float32Array, expected: Float32Array, tol: ManifestTensor['tolerance']): void {
  expect(actual.length).toBe(expected.length);
  if (tol === 'exact') throw new Error('outputs are checked with a numeric tolerance');
  for (let i = 0; i < actual.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(expected[i]!));
}

/** Every column of every 4-row block keeps at most two (the transposable 2-D patterns). */
function columns24(mask: Uint8Array, rows: number, cols: number): boolean {
  for (let r = 0; r < rows; r += 4) {
    for (let c = 0; c < cols; c++) {
      let kept = 0;
      for (let i = 0; i < 4; i++) kept += mask[(r + i) * cols + c]!;
      if (kept > 2) return false;
    }
  }
  return true;
}

describe('sparse24 vectors', () => {
  it('writes vectors that read back and verify: masks, compressed bytes, outputs', async () => {
    await withTmp(async (dir) => {
      await writeVectors(dir, 7);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      expect(manifest).toMatchObject({ format: 'sparse24-oracle-vectors', version: 1, seed: 7 });
      expect(new Set(manifest.files.map((f) => f.layer))).toEqual(new Set(['Linear', 'Conv1d', 'Conv2d', 'Conv3d']));
      expect((await readdir(dir)).sort()).toEqual([...manifest.files.map((f) => f.file), 'manifest.json'].sort());
      let plantedZeroGroups = 0;
      let cutlassFiles = 0;

      for (const f of manifest.files) {
        const { tensors } = await loadSafetensors(join(dir, f.file));
        const get = (name: string): StoredTensor => tensors.get(name)!;
        expect([...tensors.keys()].sort()).toEqual(f.tensors.map((t) => t.name).sort());
        for (const t of f.tensors)
          expect({ dtype: get(t.name).dtype, shape: get(t.name).shape }).toEqual({ dtype: t.dtype, shape: t.shape });
        const shape = f.weightShape;
        const [rows, cols] = f.view;
        const weight = toFloat32(get('weight'));
        const record = Object.fromEntries(tensors) as SparseStoredRecord;

        const view = toView(weight, shape).data;
        for (let g = 0; g < view.length; g += 4) if (view.subarray(g, g + 4).every((v) => v === 0)) plantedZeroGroups++;

        const patterns = f.tensors.filter((t) => t.name.startsWith('mask.')).map((t) => t.pattern!);
        expect(patterns.length + f.skipped.filter((s) => s.what.startsWith('pattern')).length).toBe(6);
        for (const p of patterns) {
          const mask = get(`mask.${p}`).data as Uint8Array;
          expect(mask).toEqual(createMask(weight, shape, p)); // recomputing gives identical bytes
          const [n, m] = p.startsWith('m4n2') ? [2, 4] : (p.split(':').map(Number) as [number, number]);
          expect(isNM(mask, shape, n, m)).toBe(true);
          if (p.startsWith('m4n2_2d')) expect(columns24(toView(mask, shape).data, rows, cols)).toBe(true);
          const masked = weight.map((v, i) => (mask[i] ? v : 0));
          expect(toFloat32(get(`masked.${p}`))).toEqual(masked);
          const maskedView = toView(masked, shape).data;
          const nm: CompressedNM = {
            n,
            m,
            rows,
            cols,
            weightShape: null,
            values: toFloat32(get(`nm.${p}.values`)),
            indices: get(`nm.${p}.indices`).data as Uint8Array,
          };
          expect(decompress(nm)).toEqual(maskedView);
          if (!p.startsWith('m4n2')) continue;
          expect(decompress(fromSparse24Bitmask(`${p}.weight`, record))).toEqual(maskedView);
          if (tensors.has(`cutlass.${p}.packed`)) {
            cutlassFiles++;
            const cut = fromCutlass({
              rows,
              cols,
              packedDtype: 'float16',
              metaDtype: 'int16',
              packed: get(`cutlass.${p}.packed`).data as Uint16Array,
              meta: get(`cutlass.${p}.meta`).data as Int16Array,
            });
            expect(decompress(cut)).toEqual(maskedView);
            expect(decompress(fromCutlass24(`${p}.weight`, record))).toEqual(maskedView);
            expect(get(`${p}.weight.cutlass_24_values`).data).toEqual(get(`cutlass.${p}.packed`).data);
          }
        }

        const masked = new Tensor(toFloat32(get('masked.m4n2_1d')), shape);
        const bias = new Tensor(toFloat32(get('bias')), [shape[0]!]);
        const tol = (name: string): ManifestTensor['tolerance'] => f.tensors.find((t) => t.name === name)!.tolerance;
        if (f.conv === null) {
          const x = new Tensor(toFloat32(get('linear.x')), get('linear.x').shape);
          const y = toFloat32(get('linear.y'));
          expect(linear(x, masked, bias).data).toEqual(y);
          const b = new Tensor(toFloat32(get('spmm.b')), get('spmm.b').shape);
          expect(matmul(new Tensor(toView(masked.data, shape).data, [rows, cols]), b).data).toEqual(
            toFloat32(get('spmm.c')),
          );
          const nm: CompressedNM = {
            n: 2,
            m: 4,
            rows,
            cols,
            weightShape: null,
            values: toFloat32(get('nm.m4n2_1d.values')),
            indices: get('nm.m4n2_1d.indices').data as Uint8Array,
          };
          close(referenceSparseKernels.linear(x.data, nm, bias.data, x.shape[0]!), y, tol('linear.y'));
        } else {
          const x = new Tensor(toFloat32(get('conv.x')), get('conv.x').shape);
          const op = f.layer === 'Conv1d' ? conv1d : f.layer === 'Conv2d' ? conv2d : conv3d;
          const y = op(x, masked, bias, { stride: f.conv.stride, padding: f.conv.padding });
          expect(y.shape).toEqual(get('conv.y').shape);
          close(y.data, toFloat32(get('conv.y')), tol('conv.y'));
        }
      }
      expect(plantedZeroGroups).toBeGreaterThan(20);
      expect(cutlassFiles).toBe(6); // two CUTLASS-sized cases × three 2:4 patterns
    });
  });

  it('is deterministic for a seed and changes with it; the files hold exactly what buildVectors builds', async () => {
    await withTmp(async (dir) => {
      await writeVectors(dir, 3);
      const again = buildVectors(3);
      for (const [name, tensors] of again.files) {
        expect(await readFile(join(dir, name))).toEqual(
          Buffer.from(serializeSafetensors(tensors, { producer: 'sparse24 vectors', seed: '3' })),
        );
      }
      expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toEqual(again.manifest);
      const other = buildVectors(4).files.get('linear_8x16.safetensors')!.get('weight')!.data;
      expect(other).not.toEqual(again.files.get('linear_8x16.safetensors')!.get('weight')!.data);
    });
  });

  it('needs --out, rejects a bad seed (exit 2) and documents its options', async () => {
    const a = capture();
    expect(await main(['vectors'], a.io)).toBe(2);
    expect(a.err).toEqual(['sparse24: vectors: --out is required (see sparse24 vectors --help)']);
    const b = capture();
    expect(await main(['vectors', '--out', '/tmp/x', '--seed', '1.5'], b.io)).toBe(2);
    expect(b.err).toEqual(["sparse24: --seed must be an integer ≥ 0, got '1.5'"]);
    const h = capture();
    expect(await main(['vectors', '--help'], h.io)).toBe(0);
    for (const opt of ['--out', '--seed', '--json']) expect(h.out.join('\n')).toContain(opt);
  });
});
