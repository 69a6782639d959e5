/**
 * Dense GEMM on the wasm kernels. Per batch item: A is copied in and packed into 4-row strips, B
 * into 16-column panels (kept packed between calls when the caller stamps it as a weight), and the
 * 4 × 8 micro-kernel writes C. Thin products x · Wᵀ (≤ 3 rows, Linear at batch 1) skip packing and
 * take dot products along W's rows, which is bound by reading W once.
 */
import type { GemmParams } from '../types.js';
import type { Packed } from './cache.js';
import type { Scratch } from './heap.js';
import { panelBytes, stripBytes } from './layout.js';
import { type WasmRuntime, wasmRuntime } from './runtime.js';

/** Most rows of A handled by the dot-product path instead of the packed GEMM. */
export const THIN_ROWS = 3;

/** B (one matrix of `p`) packed into panels: cached when stamped, else in scratch. */
function packedB(rt: WasmRuntime, s: Scratch, b: Float32Array, offset: number, p: GemmParams): number {
  const { k, n, transB } = p;
  const build = (alloc: (bytes: number) => number): Packed => {
    const raw = s.put(b.subarray(offset, offset + k * n));
    const bytes = panelBytes(k, n);
    const ptr = alloc(bytes);
    // Element (r, j) of B: stored [n, k] when transposed.
    if (transB) rt.run('packPanels', raw, 1, k, k, n, ptr);
    else rt.run('packPanels', raw, n, 1, k, n, ptr);
    return { ptr, bytes, meta: {} };
  };
  if (p.bStamp !== undefined && offset === 0 && b.length === k * n) {
    return rt.cache.get(b, `panels:${transB}:${k}x${n}`, p.bStamp, b, () => build((bytes) => rt.heap.alloc(bytes))).ptr;
  }
  return build(s.alloc).ptr;
}

/** W [n, k] rows in wasm memory for the thin path (cached when stamped). */
function rowsB(rt: WasmRuntime, s: Scratch, b: Float32Array, offset: number, p: GemmParams): number {
  const size = p.k * p.n;
  if (p.bStamp !== undefined && offset === 0 && b.length === size) {
    return rt.cache.get(b, `rows:${p.k}x${p.n}`, p.bStamp, b, () => ({
      ptr: rt.heap.put(b),
      bytes: size * 4,
      meta: {},
    })).ptr;
  }
  return s.put(b.subarray(offset, offset + size));
}

export function gemm(a: Float32Array, b: Float32Array, p: GemmParams): Float32Array {
  const rt = wasmRuntime();
  const { batch, m, k, n } = p;
  if (batch * m * n === 0) return new Float32Array(batch * m * n);
  if (k === 0) return new Float32Array(batch * m * n);
  return rt.heap.scoped((s) => {
    const c = s.alloc(batch * m * n * 4);
    const thin = m <= THIN_ROWS && p.transB && !p.transA;
    let bPtr = -1;
    let aPacked = -1;
    const strips = thin ? 0 : s.alloc(stripBytes(m, k));
    for (let i = 0; i < batch; i++) {
      const cPtr = c + i * m * n * 4;
      const aOff = i * p.strideA;
      const bOff = i * p.strideB;
      if (bPtr < 0 || p.strideB !== 0) bPtr = thin ? rowsB(rt, s, b, bOff, p) : packedB(rt, s, b, bOff, p);
      if (thin) {
        rt.run('gemvNT', s.put(a.subarray(aOff, aOff + m * k)), bPtr, k, n, m, cPtr);
        continue;
      }
      if (aPacked < 0 || p.strideA !== 0) {
        const raw = s.put(a.subarray(aOff, aOff + m * k));
        // Element (i, r) of A: stored [k, m] when transposed.
        if (p.transA) rt.run('packStrips', raw, 1, m, m, k, strips);
        else rt.run('packStrips', raw, k, 1, m, k, strips);
        aPacked = strips;
      }
      rt.run('gemm', aPacked, bPtr, k, m, n, cPtr, n, 0);
    }
    return rt.heap.take(c, batch * m * n);
  });
}
