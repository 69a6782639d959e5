/**
 * The `wasm` backend's sparse kernels (the sparse twin of src/tensor/kernels/wasm). The dense operand
 * is put in panels with its batch/spatial dimension across the SIMD lanes, so a kept weight costs one
 * broadcast and four multiply-adds whatever the N:M pattern; only thin products (≤ 3 rows, Linear at
 * batch 1) read vectors directly — 2:4 through the row-pair swizzle kernel, other patterns scalar.
 */
import type { ConvParams } from '../../../tensor/kernels/types.js';
import {
  THIN_ROWS,
  type WasmRuntime,
  panelBytes,
  setGeometry,
  wasmRuntime,
} from '../../../tensor/kernels/wasm/index.js';
import type { CompressedNM } from '../../compressed.js';
import { checkConv, checkLinear, checkSpmm, convOutputLength } from '../geometry.js';
import type { SparseKernels } from '../types.js';
import { PANEL_KC, convRows, matrixRows, packEntries, packPairs24 } from './pack.js';

/** The largest multiple of m not above PANEL_KC (at least m), so K blocks end on group boundaries. */
const blockOf = (m: number): number => Math.max(m, Math.floor(PANEL_KC / m) * m);

const is24 = (w: CompressedNM): boolean => w.n === 2 && w.m === 4;

function panelEntries(rt: WasmRuntime, w: CompressedNM): { ptr: number; nkb: number; starts: number } {
  const kc = blockOf(w.m);
  const e = rt.cache.get(w, `panels:${kc}`, 0, null, () => packEntries(rt, matrixRows(w), w.cols, 64, kc));
  return { ptr: e.ptr, nkb: e.meta['nkb']!, starts: e.ptr + e.meta['startsOffset']! };
}

/** out = W · panels (ncols columns), element (o, j) at y + o·yrs + j·ycs. */
function spmm(
  rt: WasmRuntime,
  w: CompressedNM,
  pan: number,
  ncols: number,
  y: number,
  yrs: number,
  ycs: number,
  bias: number,
  tmp: number,
): void {
  const e = panelEntries(rt, w);
  rt.run('spmmPanels', e.ptr, e.starts, e.nkb, w.rows, pan, w.cols * 64, ncols, y, yrs, ycs, bias, tmp);
}

function linear(x: Float32Array, w: CompressedNM, bias: Float32Array | null, rows: number): Float32Array {
  checkLinear(x, w, bias, rows);
  const rt = wasmRuntime();
  const out = rows * w.rows;
  if (out === 0) return new Float32Array(0);
  return rt.heap.scoped((s) => {
    const xp = s.put(x);
    const y = s.alloc(out * 4);
    const b = bias === null ? 0 : s.put(bias);
    if (rows <= THIN_ROWS && is24(w)) {
      const e = rt.cache.get(w, 'pairs24', 0, null, () => packPairs24(rt, w));
      rt.run('spmv24Pairs', e.ptr, e.ptr + e.meta['patsOffset']!, w.rows, xp, w.cols, rows, y, b);
    } else if (rows <= THIN_ROWS) {
      const e = rt.cache.get(w, 'rows', 0, null, () => packEntries(rt, matrixRows(w), w.cols, 4, Math.max(1, w.cols)));
      rt.run('spmvRows', e.ptr, e.ptr + e.meta['startsOffset']!, w.rows, xp, w.cols, rows, y, b);
    } else {
      // Panels of xᵀ: element (input i, row j) = x[j, i]; y[j, o] has row stride w.rows.
      const pan = s.alloc(panelBytes(w.cols, rows));
      rt.run('packPanels', xp, 1, w.cols, w.cols, rows, pan);
      spmm(rt, w, pan, rows, y, 4, w.rows * 4, b, s.alloc(w.rows * 64));
    }
    return rt.heap.take(y, out);
  });
}

function spmmKernel(a: CompressedNM, b: Float32Array, n: number): Float32Array {
  checkSpmm(a, b, n);
  const rt = wasmRuntime();
  const out = a.rows * n;
  if (out === 0) return new Float32Array(0);
  return rt.heap.scoped((s) => {
    const bp = s.put(b);
    const pan = s.alloc(panelBytes(a.cols, n));
    rt.run('packPanels', bp, n, 1, a.cols, n, pan);
    const c = s.alloc(out * 4);
    spmm(rt, a, pan, n, c, n * 4, 4, 0, s.alloc(a.rows * 64));
    return rt.heap.take(c, out);
  });
}

function conv(x: Float32Array, w: CompressedNM, bias: Float32Array | null, p: ConvParams): Float32Array {
  const { positions, conv1d } = checkConv(x, w, bias, p);
  const rt = wasmRuntime();
  const outLen = convOutputLength(p);
  if (outLen === 0) return new Float32Array(0);
  const cg = p.inChannels / p.groups;
  const kg = p.outChannels / p.groups;
  const rowsCol = cg * positions;
  const L = p.outSize[0] * p.outSize[1] * p.outSize[2];
  const plane = p.inSize[0] * p.inSize[1] * p.inSize[2];
  const kc = blockOf(1);
  const e = rt.cache.get(w, `conv:${kc}`, 0, null, () =>
    packEntries(rt, convRows(w, positions, conv1d), rowsCol, 64, kc),
  );
  const nkb = e.meta['nkb']!;
  const starts = e.ptr + e.meta['startsOffset']!;
  return rt.heap.scoped((s) => {
    const xp = s.put(x);
    const y = s.alloc(outLen * 4);
    const b = bias === null ? 0 : s.put(bias);
    const cols = s.alloc(panelBytes(rowsCol, L));
    const tmp = s.alloc(p.outChannels * 64);
    setGeometry(rt, p, cg);
    for (let n = 0; n < p.batch; n++) {
      for (let g = 0; g < p.groups; g++) {
        rt.run('im2col', xp + (n * p.inChannels + g * cg) * plane * 4, cols, 64, rowsCol * 64);
        const yg = y + (n * p.outChannels + g * kg) * L * 4;
        rt.run(
          'spmmPanels',
          e.ptr,
          starts + g * kg * (nkb + 1) * 4,
          nkb,
          kg,
          cols,
          rowsCol * 64,
          L,
          yg,
          L * 4,
          4,
          b === 0 ? 0 : b + g * kg * 4,
          tmp,
        );
      }
    }
    return rt.heap.take(y, outLen);
  });
}

/** Sparse kernels on WebAssembly SIMD128 and threads; checked against the reference sparse kernels. */
export const wasmSparseKernels: SparseKernels = { name: 'wasm', linear, spmm: spmmKernel, conv };
