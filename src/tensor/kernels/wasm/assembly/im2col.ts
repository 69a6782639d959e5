// im2col and col2im for convolutions lowered to GEMMs. The column matrix has one row per
// (input channel c, tap t) — row c·P + t, P = kd·kh·kw — and one column per output position.
// Where column (row r, output position l) lives is dst + r·krs + (l >> 4)·pbs + (l & 15)·4 bytes:
// krs = 4·L, pbs = 64 is a plain row-major [rows][L] matrix; krs = 64, pbs = 64·rows is panels of 16
// output positions, which dense GEMM and the sparse kernels read directly (no separate packing pass).
import { rangeStart } from './common';

// Geometry: written once per call by setGeometry, read by both kernels on every thread.
let C: i32 = 0, D: i32 = 0, H: i32 = 0, W: i32 = 0;
let KD: i32 = 0, KH: i32 = 0, KW: i32 = 0, OD: i32 = 0, OH: i32 = 0, OW: i32 = 0;
let SD: i32 = 0, SH: i32 = 0, SW: i32 = 0, PD: i32 = 0, PH: i32 = 0, PW: i32 = 0, DD: i32 = 0, DH: i32 = 0, DW: i32 = 0;

/** Geometry of the next im2col/col2im calls (per thread: every thread runs this first). */
export function setGeometry(
  tid: i32, nt: i32, c: i32, d: i32, h: i32, w: i32, kd: i32, kh: i32, kw: i32, od: i32, oh: i32, ow: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
): void {
  C = c; D = d; H = h; W = w; KD = kd; KH = kh; KW = kw; OD = od; OH = oh; OW = ow;
  SD = sd; SH = sh; SW = sw; PD = pd; PH = ph; PW = pw; DD = dd; DH = dh; DW = dw;
}

/** Writes count values of one column-matrix row, from output position l on, in 16-aligned runs. */
@inline function writeRun(row: usize, pbs: usize, l: i32, count: i32, src: usize, srcStep: usize): void {
  const end = l + count;
  while (l < end) {
    const stop = min(end, (l | 15) + 1);
    let d = row + <usize>(l >> 4) * pbs + (<usize>(l & 15) << 2);
    let n = stop - l;
    if (src == 0) {
      for (; n >= 4; n -= 4, d += 16) v128.store(d, f32x4.splat(0));
      for (; n > 0; n--, d += 4) store<f32>(d, 0);
    } else if (srcStep == 4) {
      for (; n >= 4; n -= 4, d += 16, src += 16) v128.store(d, v128.load(src));
      for (; n > 0; n--, d += 4, src += 4) store<f32>(d, load<f32>(src));
    } else {
      for (; n > 0; n--, d += 4, src += srcStep) store<f32>(d, load<f32>(src));
    }
    l = stop;
  }
}

/**
 * Column matrix of one batch item and group: x points at its first input channel (C·D·H·W floats).
 * Threads split the rows.
 */
export function im2col(tid: i32, nt: i32, x: usize, dst: usize, krs: usize, pbs: usize): void {
  const taps = KD * KH * KW;
  const rows = C * taps;
  const r0 = rangeStart(rows, tid, nt);
  const r1 = rangeStart(rows, tid + 1, nt);
  const plane = <usize>(D * H * W) << 2;
  const step = <usize>SW << 2;
  for (let r = r0; r < r1; r++) {
    const c = r / taps;
    let t = r - c * taps;
    const e = t % KW; t /= KW;
    const b = t % KH;
    const a = t / KH;
    const row = dst + <usize>r * krs;
    const xc = x + <usize>c * plane;
    // Valid output columns: 0 <= ow·SW - PW + e·DW < W.
    const shift = e * DW - PW;
    const ow0 = min(OW, shift >= 0 ? 0 : (-shift + SW - 1) / SW);
    const ow1 = max(ow0, min(OW, W - 1 - shift < 0 ? 0 : (W - 1 - shift) / SW + 1));
    for (let od = 0; od < OD; od++) {
      const id = od * SD - PD + a * DD;
      for (let oh = 0; oh < OH; oh++) {
        const ih = oh * SH - PH + b * DH;
        const l = (od * OH + oh) * OW;
        if (id < 0 || id >= D || ih < 0 || ih >= H) {
          writeRun(row, pbs, l, OW, 0, 0);
          continue;
        }
        if (ow0 > 0) writeRun(row, pbs, l, ow0, 0, 0);
        if (ow1 > ow0) {
          const src = xc + (<usize>((id * H + ih) * W + ow0 * SW + shift) << 2);
          writeRun(row, pbs, l + ow0, ow1 - ow0, src, step);
        }
        if (ow1 < OW) writeRun(row, pbs, l + ow1, OW - ow1, 0, 0);
      }
    }
  }
}

/**
 * dx += col2im(col) for a row-major column matrix (krs = 4·L) of one batch item and group: every
 * column value is added to the input position its tap read. Threads split the channels, so no two
 * threads write the same value.
 */
export function col2im(tid: i32, nt: i32, col: usize, dx: usize): void {
  const taps = KD * KH * KW;
  const c0 = rangeStart(C, tid, nt);
  const c1 = rangeStart(C, tid + 1, nt);
  const plane = <usize>(D * H * W) << 2;
  const L = OD * OH * OW;
  for (let c = c0; c < c1; c++) {
    const xc = dx + <usize>c * plane;
    for (let t = 0; t < taps; t++) {
      const e = t % KW;
      const b = (t / KW) % KH;
      const a = t / (KW * KH);
      const row = col + (<usize>(c * taps + t) * <usize>L << 2);
      const shift = e * DW - PW;
      const ow0 = min(OW, shift >= 0 ? 0 : (-shift + SW - 1) / SW);
      const ow1 = max(ow0, min(OW, W - 1 - shift < 0 ? 0 : (W - 1 - shift) / SW + 1));
      if (ow1 <= ow0) continue;
      for (let od = 0; od < OD; od++) {
        const id = od * SD - PD + a * DD;
        if (id < 0 || id >= D) continue;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * SH - PH + b * DH;
          if (ih < 0 || ih >= H) continue;
          let s = row + (<usize>((od * OH + oh) * OW + ow0) << 2);
          let d = xc + (<usize>((id * H + ih) * W + ow0 * SW + shift) << 2);
          let n = ow1 - ow0;
          if (SW == 1) {
            for (; n >= 4; n -= 4, s += 16, d += 16) v128.store(d, f32x4.add(v128.load(d), v128.load(s)));
            for (; n > 0; n--, s += 4, d += 4) store<f32>(d, load<f32>(d) + load<f32>(s));
          } else {
            const step = <usize>SW << 2;
            for (; n > 0; n--, s += 4, d += step) store<f32>(d, load<f32>(d) + load<f32>(s));
          }
        }
      }
    }
  }
}
