/**
 * Convolutions on the wasm kernels, lowered to GEMMs over im2col matrices per batch item and group
 * (the same lowering as the fast backend, src/tensor/kernels/fast/conv.ts):
 *
 *   forward   y_g  [kg, L]   = W_g [kg, cg·P] · col_g     col_g written straight into 16-wide panels
 *   input     dcol [cg·P, L] = W_gᵀ · dy_g, then col2im adds it into dx
 *   weight    dW_g [kg, cg·P] += dy_g · col_gᵀ            (summed over the batch)
 */
import { convGeometry } from '../fast/conv.js';
import type { ConvParams } from '../types.js';
import { panelBytes, stripBytes } from './layout.js';
import { type WasmRuntime, wasmRuntime } from './runtime.js';

/** Sets the im2col/col2im geometry on every thread. */
export function setGeometry(rt: WasmRuntime, p: ConvParams, cg: number): void {
  rt.run('setGeometry', cg, ...p.inSize, ...p.kernelSize, ...p.outSize, ...p.stride, ...p.padding, ...p.dilation);
}

/** The weight's 4-row strips of every group (group g at g·stripBytes), cached when stamped. */
function weightStrips(
  rt: WasmRuntime,
  w: Float32Array,
  p: ConvParams,
  stamp: number | undefined,
  alloc: (bytes: number) => number,
): number {
  const g = convGeometry(p);
  const per = stripBytes(g.kg, g.rowsCol);
  const build = (into: (bytes: number) => number): { ptr: number; bytes: number; meta: Record<string, number> } => {
    const ptr = into(per * p.groups);
    rt.heap.scoped((s) => {
      const raw = s.put(w);
      for (let gi = 0; gi < p.groups; gi++) {
        rt.run('packStrips', raw + gi * g.kg * g.rowsCol * 4, g.rowsCol, 1, g.kg, g.rowsCol, ptr + gi * per);
      }
    });
    return { ptr, bytes: per * p.groups, meta: {} };
  };
  if (stamp === undefined) return build(alloc).ptr;
  return rt.cache.get(w, `convStrips:${p.groups}:${g.kg}x${g.rowsCol}`, stamp, w, () => build((b) => rt.heap.alloc(b)))
    .ptr;
}

export function conv(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: ConvParams,
  stamp?: number,
): Float32Array {
  const rt = wasmRuntime();
  const g = convGeometry(p);
  const outLen = p.batch * p.outChannels * g.outLen;
  if (outLen === 0) return new Float32Array(0);
  return rt.heap.scoped((s) => {
    const xp = s.put(x);
    const y = s.alloc(outLen * 4);
    const strips = weightStrips(rt, w, p, stamp, s.alloc);
    const per = stripBytes(g.kg, g.rowsCol);
    const colBytes = panelBytes(g.rowsCol, g.outLen);
    const cols = s.alloc(colBytes);
    setGeometry(rt, p, g.cg);
    for (let n = 0; n < p.batch; n++) {
      for (let gi = 0; gi < p.groups; gi++) {
        rt.run('im2col', xp + (n * p.inChannels + gi * g.cg) * g.plane * 4, cols, 64, g.rowsCol * 64);
        const yg = y + (n * p.outChannels + gi * g.kg) * g.outLen * 4;
        rt.run('gemm', strips + gi * per, cols, g.rowsCol, g.kg, g.outLen, yg, g.outLen, 0);
      }
    }
    if (bias !== null) rt.run('addChannelBias', y, s.put(bias), p.batch * p.outChannels, p.outChannels, g.outLen);
    return rt.heap.take(y, outLen);
  });
}

export function convBackwardInput(dy: Float32Array, w: Float32Array, p: ConvParams): Float32Array {
  const rt = wasmRuntime();
  const g = convGeometry(p);
  const inLen = p.batch * p.inChannels * g.plane;
  if (inLen === 0) return new Float32Array(0);
  return rt.heap.scoped((s) => {
    const dyp = s.put(dy);
    const dx = s.alloc(inLen * 4);
    rt.heap.u8(dx, inLen * 4).fill(0);
    const wp = s.put(w);
    // W_gᵀ as the A operand: element (i, r) = W_g[r, i].
    const per = stripBytes(g.rowsCol, g.kg);
    const strips = s.alloc(per * p.groups);
    for (let gi = 0; gi < p.groups; gi++) {
      rt.run('packStrips', wp + gi * g.kg * g.rowsCol * 4, 1, g.rowsCol, g.rowsCol, g.kg, strips + gi * per);
    }
    const panels = s.alloc(panelBytes(g.kg, g.outLen));
    const dcol = s.alloc(g.rowsCol * g.outLen * 4);
    setGeometry(rt, p, g.cg);
    for (let n = 0; n < p.batch; n++) {
      for (let gi = 0; gi < p.groups; gi++) {
        const dyg = dyp + (n * p.outChannels + gi * g.kg) * g.outLen * 4;
        rt.run('packPanels', dyg, g.outLen, 1, g.kg, g.outLen, panels);
        rt.run('gemm', strips + gi * per, panels, g.kg, g.rowsCol, g.outLen, dcol, g.outLen, 0);
        rt.run('col2im', dcol, dx + (n * p.inChannels + gi * g.cg) * g.plane * 4);
      }
    }
    return rt.heap.take(dx, inLen);
  });
}

export function convBackwardWeight(dy: Float32Array, x: Float32Array, p: ConvParams): Float32Array {
  const rt = wasmRuntime();
  const g = convGeometry(p);
  const wLen = p.outChannels * g.rowsCol;
  if (wLen === 0) return new Float32Array(0);
  if (p.batch * g.outLen === 0) return new Float32Array(wLen);
  return rt.heap.scoped((s) => {
    const dyp = s.put(dy);
    const xp = s.put(x);
    const dw = s.alloc(wLen * 4);
    const col = s.alloc(g.rowsCol * g.outLen * 4);
    const strips = s.alloc(stripBytes(g.kg, g.outLen));
    const panels = s.alloc(panelBytes(g.outLen, g.rowsCol));
    setGeometry(rt, p, g.cg);
    for (let n = 0; n < p.batch; n++) {
      for (let gi = 0; gi < p.groups; gi++) {
        // Row-major col_g [cg·P, L], then col_gᵀ as panels: element (r, j) = col[j, r].
        rt.run('im2col', xp + (n * p.inChannels + gi * g.cg) * g.plane * 4, col, g.outLen * 4, 64);
        rt.run('packPanels', col, 1, g.outLen, g.outLen, g.rowsCol, panels);
        const dyg = dyp + (n * p.outChannels + gi * g.kg) * g.outLen * 4;
        rt.run('packStrips', dyg, g.outLen, 1, g.kg, g.outLen, strips);
        rt.run(
          'gemm',
          strips,
          panels,
          g.outLen,
          g.kg,
          g.rowsCol,
          dw + gi * g.kg * g.rowsCol * 4,
          g.rowsCol,
          n > 0 ? 1 : 0,
        );
      }
    }
    return rt.heap.take(dw, wLen);
  });
}
