import type { ConvParams } from '../types.js';
import { type MatView, gemmInto } from './gemm.js';

/**
 * Convolutions as GEMMs over an im2col matrix, per batch item and group:
 *
 *   col_g   [cg·P, L]  (P = kd·kh·kw taps, L = oD·oH·oW outputs; zeros where a tap is in padding)
 *   forward   y_g  [kg, L]     = W_g [kg, cg·P] · col_g
 *   input     dcol [cg·P, L]   = W_gᵀ · dy_g, then col2im scatter-adds it into dx
 *   weight    dW_g [kg, cg·P] += dy_g · col_gᵀ (summed over the batch)
 *
 * A 1×1, stride-1, unpadded convolution's col_g is the input itself, so it is used in place.
 */

export interface ConvGeometry {
  cg: number;
  kg: number;
  taps: number;
  rowsCol: number;
  outLen: number;
  plane: number;
}

/** Per-group sizes of the im2col lowering: cg·P rows of L outputs. */
export function convGeometry(p: ConvParams): ConvGeometry {
  const cg = p.inChannels / p.groups;
  const taps = p.kernelSize[0] * p.kernelSize[1] * p.kernelSize[2];
  return {
    cg,
    kg: p.outChannels / p.groups,
    taps,
    rowsCol: cg * taps,
    outLen: p.outSize[0] * p.outSize[1] * p.outSize[2],
    plane: p.inSize[0] * p.inSize[1] * p.inSize[2],
  };
}

/** True when col_g is exactly the input channels of the group (no gather needed). */
export function isPointwise(p: ConvParams): boolean {
  const ones = (t: readonly number[]): boolean => t[0] === 1 && t[1] === 1 && t[2] === 1;
  return ones(p.kernelSize) && ones(p.stride) && p.padding[0] === 0 && p.padding[1] === 0 && p.padding[2] === 0;
}

/**
 * Visits every (tap row, output row) pair of one input channel plane: `visit(colRow, inRowOffset,
 * outRowOffset, ow0, ow1, iw0, sw)` for the valid output columns ow0..ow1-1 of that row, which read
 * input column iw0 + (ow - ow0)·sw. Rows whose tap falls in the depth/height padding are skipped.
 */
function forEachTapRow(
  p: ConvParams,
  visit: (colRow: number, inRow: number, outRow: number, ow0: number, ow1: number, iw0: number, sw: number) => void,
): void {
  const [D, H, W] = p.inSize;
  const [kD, kH, kW] = p.kernelSize;
  const [oD, oH, oW] = p.outSize;
  const [sd, sh, sw] = p.stride;
  const [pd, ph, pw] = p.padding;
  const [dd, dh, dw] = p.dilation;
  let tap = 0;
  for (let a = 0; a < kD; a++) {
    for (let b = 0; b < kH; b++) {
      for (let e = 0; e < kW; e++, tap++) {
        // Valid ow: 0 <= ow·sw - pw + e·dw < W.
        const shift = e * dw - pw;
        const ow0 = Math.max(0, Math.ceil(-shift / sw));
        const ow1 = Math.min(oW, Math.floor((W - 1 - shift) / sw) + 1);
        if (ow1 <= ow0) continue;
        for (let od = 0; od < oD; od++) {
          const id = od * sd - pd + a * dd;
          if (id < 0 || id >= D) continue;
          for (let oh = 0; oh < oH; oh++) {
            const ih = oh * sh - ph + b * dh;
            if (ih < 0 || ih >= H) continue;
            visit(tap, (id * H + ih) * W, (od * oH + oh) * oW, ow0, ow1, ow0 * sw + shift, sw);
          }
        }
      }
    }
  }
}

/** Fills col [cg·P, L] for channels c0 .. c0+cg of batch item n (rows: channel-major, then tap). */
export function im2col(
  x: Float32Array,
  n: number,
  c0: number,
  p: ConvParams,
  g: ConvGeometry,
  col: Float32Array,
): void {
  col.fill(0);
  for (let c = 0; c < g.cg; c++) {
    const xBase = (n * p.inChannels + c0 + c) * g.plane;
    const rowBase = c * g.taps;
    forEachTapRow(p, (tap, inRow, outRow, ow0, ow1, iw0, sw) => {
      const dst = (rowBase + tap) * g.outLen + outRow;
      let src = xBase + inRow + iw0;
      for (let ow = ow0; ow < ow1; ow++, src += sw) col[dst + ow] = x[src]!;
    });
  }
}

/** Scatter-adds col [cg·P, L] into dx for channels c0 .. c0+cg of batch item n. */
function col2im(col: Float32Array, n: number, c0: number, p: ConvParams, g: ConvGeometry, dx: Float32Array): void {
  for (let c = 0; c < g.cg; c++) {
    const xBase = (n * p.inChannels + c0 + c) * g.plane;
    const rowBase = c * g.taps;
    forEachTapRow(p, (tap, inRow, outRow, ow0, ow1, iw0, sw) => {
      const src = (rowBase + tap) * g.outLen + outRow;
      let dst = xBase + inRow + iw0;
      for (let ow = ow0; ow < ow1; ow++, dst += sw) dx[dst]! += col[src + ow]!;
    });
  }
}

/** The col_g operand of batch item n, group gi: the input itself for pointwise convs, else im2col. */
function colView(
  x: Float32Array,
  n: number,
  gi: number,
  p: ConvParams,
  g: ConvGeometry,
  scratch: Float32Array | null,
): MatView {
  const c0 = gi * g.cg;
  if (scratch === null) return { data: x, off: (n * p.inChannels + c0) * g.plane, rs: g.plane, cs: 1 };
  im2col(x, n, c0, p, g, scratch);
  return { data: scratch, off: 0, rs: g.outLen, cs: 1 };
}

export function conv(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: ConvParams): Float32Array {
  const g = convGeometry(p);
  const K = p.outChannels;
  const y = new Float32Array(p.batch * K * g.outLen);
  if (bias !== null) {
    for (let n = 0; n < p.batch; n++)
      for (let k = 0; k < K; k++) y.fill(bias[k]!, (n * K + k) * g.outLen, (n * K + k + 1) * g.outLen);
  }
  const scratch = isPointwise(p) ? null : new Float32Array(g.rowsCol * g.outLen);
  for (let n = 0; n < p.batch; n++) {
    for (let gi = 0; gi < p.groups; gi++) {
      const col = colView(x, n, gi, p, g, scratch);
      const wg: MatView = { data: w, off: gi * g.kg * g.rowsCol, rs: g.rowsCol, cs: 1 };
      gemmInto(wg, col, y, (n * K + gi * g.kg) * g.outLen, g.outLen, g.kg, g.rowsCol, g.outLen);
    }
  }
  return y;
}

export function convBackwardInput(dy: Float32Array, w: Float32Array, p: ConvParams): Float32Array {
  const g = convGeometry(p);
  const K = p.outChannels;
  const dx = new Float32Array(p.batch * p.inChannels * g.plane);
  const pointwise = isPointwise(p);
  const dcol = pointwise ? null : new Float32Array(g.rowsCol * g.outLen);
  for (let n = 0; n < p.batch; n++) {
    for (let gi = 0; gi < p.groups; gi++) {
      const wgT: MatView = { data: w, off: gi * g.kg * g.rowsCol, rs: 1, cs: g.rowsCol };
      const dyg: MatView = { data: dy, off: (n * K + gi * g.kg) * g.outLen, rs: g.outLen, cs: 1 };
      if (dcol === null) {
        gemmInto(wgT, dyg, dx, (n * p.inChannels + gi * g.cg) * g.plane, g.plane, g.rowsCol, g.kg, g.outLen);
      } else {
        dcol.fill(0);
        gemmInto(wgT, dyg, dcol, 0, g.outLen, g.rowsCol, g.kg, g.outLen);
        col2im(dcol, n, gi * g.cg, p, g, dx);
      }
    }
  }
  return dx;
}

export function convBackwardWeight(dy: Float32Array, x: Float32Array, p: ConvParams): Float32Array {
  const g = convGeometry(p);
  const K = p.outChannels;
  const dw = new Float32Array(K * g.rowsCol);
  const scratch = isPointwise(p) ? null : new Float32Array(g.rowsCol * g.outLen);
  for (let n = 0; n < p.batch; n++) {
    for (let gi = 0; gi < p.groups; gi++) {
      const col = colView(x, n, gi, p, g, scratch);
      const colT: MatView = { data: col.data, off: col.off, rs: col.cs, cs: col.rs };
      const dyg: MatView = { data: dy, off: (n * K + gi * g.kg) * g.outLen, rs: g.outLen, cs: 1 };
      gemmInto(dyg, colT, dw, gi * g.kg * g.rowsCol, g.rowsCol, g.kg, g.outLen, g.rowsCol);
    }
  }
  return dw;
}
