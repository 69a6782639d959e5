/**
 * The one inner routine of the fast sparse kernels: rows of a compressed matrix times a dense
 * operand, accumulated into C.
 *
 *   C[cOff + r·ldc + j] += Σ_kept value · B[bOff + column·bRs + j]   for r < count, j < n,
 *   where compressed row = rowBase + r·rowStep.
 *
 * Design (weight-stationary): one compressed row is read once per 8 output columns and its kept
 * values meet 8 contiguous B values each, held in 8 local sums. B is walked in 64-column strips
 * so the strip (columns × 64 floats) stays in L2 while every row passes over it.
 *
 * For 2:4 the positions of a group's two kept values are packed into one byte (p0 | p1 << 2):
 * a group costs one byte of index instead of two int32 columns, and the column is 4·g + p, no
 * table lookup. Other N:M patterns use the decoded int32 columns.
 */
import type { CompressedNM } from '../../compressed.js';
import { decodedColumns } from '../columns.js';

const STRIP = 64;

const codeCache = new WeakMap<CompressedNM, Uint8Array>();

/** One byte per 2:4 group: the first kept position in bits 0-1, the second in bits 2-3. */
export function groupCodes24(c: CompressedNM): Uint8Array {
  let codes = codeCache.get(c);
  if (codes === undefined) {
    const idx = c.indices;
    codes = new Uint8Array(idx.length >> 1);
    for (let g = 0; g < codes.length; g++) codes[g] = idx[2 * g]! | (idx[2 * g + 1]! << 2);
    codeCache.set(c, codes);
  }
  return codes;
}

export const is24 = (c: CompressedNM): boolean => c.n === 2 && c.m === 4;

/** Which compressed rows to multiply and where B and C live. */
export interface RowsTimesDense {
  rowBase: number;
  rowStep: number;
  count: number;
  b: Float32Array;
  bOff: number;
  /** Elements between consecutive B rows (one per column of the compressed matrix). */
  bRs: number;
  n: number;
  c: Float32Array;
  cOff: number;
  ldc: number;
}

export function rowsTimesDense(w: CompressedNM, q: RowsTimesDense): void {
  if (is24(w)) rowsTimesDense24(w, q);
  else rowsTimesDenseNM(w, q);
}

function rowsTimesDense24(w: CompressedNM, q: RowsTimesDense): void {
  const vals = w.values;
  const codes = groupCodes24(w);
  const groups = w.cols >> 2;
  const { b, bRs, n, c } = q;
  const gStride = 4 * bRs;
  for (let j0 = 0; j0 < n; j0 += STRIP) {
    const j1 = Math.min(n, j0 + STRIP);
    for (let r = 0; r < q.count; r++) {
      const row = q.rowBase + r * q.rowStep;
      const g0 = row * groups;
      const g1 = g0 + groups;
      const cRow = q.cOff + r * q.ldc;
      let j = j0;
      for (; j + 8 <= j1; j += 8) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        let gb = q.bOff + j;
        for (let g = g0, v = 2 * g0; g < g1; g++, v += 2, gb += gStride) {
          const code = codes[g]!;
          const v0 = vals[v]!, v1 = vals[v + 1]!;
          const p0 = gb + (code & 3) * bRs;
          const p1 = gb + (code >> 2) * bRs;
          s0 += v0 * b[p0]! + v1 * b[p1]!;
          s1 += v0 * b[p0 + 1]! + v1 * b[p1 + 1]!;
          s2 += v0 * b[p0 + 2]! + v1 * b[p1 + 2]!;
          s3 += v0 * b[p0 + 3]! + v1 * b[p1 + 3]!;
          s4 += v0 * b[p0 + 4]! + v1 * b[p1 + 4]!;
          s5 += v0 * b[p0 + 5]! + v1 * b[p1 + 5]!;
          s6 += v0 * b[p0 + 6]! + v1 * b[p1 + 6]!;
          s7 += v0 * b[p0 + 7]! + v1 * b[p1 + 7]!;
        }
        const o = cRow + j;
        c[o] += s0; c[o + 1] += s1; c[o + 2] += s2; c[o + 3] += s3;
        c[o + 4] += s4; c[o + 5] += s5; c[o + 6] += s6; c[o + 7] += s7;
      }
      for (; j < j1; j++) {
        let s = 0;
        let gb = q.bOff + j;
        for (let g = g0, v = 2 * g0; g < g1; g++, v += 2, gb += gStride) {
          const code = codes[g]!;
          s += vals[v]! * b[gb + (code & 3) * bRs]! + vals[v + 1]! * b[gb + (code >> 2) * bRs]!;
        }
        c[cRow + j] += s;
      }
    }
  }
}

function rowsTimesDenseNM(w: CompressedNM, q: RowsTimesDense): void {
  const vals = w.values;
  const cols = decodedColumns(w);
  const h = (w.cols / w.m) * w.n;
  const { b, bRs, n, c } = q;
  for (let j0 = 0; j0 < n; j0 += STRIP) {
    const j1 = Math.min(n, j0 + STRIP);
    for (let r = 0; r < q.count; r++) {
      const t0 = (q.rowBase + r * q.rowStep) * h;
      const t1 = t0 + h;
      const cRow = q.cOff + r * q.ldc;
      let j = j0;
      for (; j + 4 <= j1; j += 4) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        const bj = q.bOff + j;
        for (let t = t0; t < t1; t++) {
          const v = vals[t]!;
          const p = bj + cols[t]! * bRs;
          s0 += v * b[p]!;
          s1 += v * b[p + 1]!;
          s2 += v * b[p + 2]!;
          s3 += v * b[p + 3]!;
        }
        const o = cRow + j;
        c[o] += s0; c[o + 1] += s1; c[o + 2] += s2; c[o + 3] += s3;
      }
      for (; j < j1; j++) {
        let s = 0;
        for (let t = t0; t < t1; t++) s += vals[t]! * b[q.bOff + j + cols[t]! * bRs]!;
        c[cRow + j] += s;
      }
    }
  }
}

/**
 * y[o] = Σ kept W[o] · x for one input row: the memory-bound batch-1 case, where bytes per kept
 * value decide the speed (4 value bytes + half an index byte for 2:4, against 4 per dense weight).
 * Two partial sums per row hide the add latency.
 */
export function rowDot(w: CompressedNM, x: Float32Array, xOff: number, y: Float32Array, yOff: number): void {
  const vals = w.values;
  if (!is24(w)) {
    const cols = decodedColumns(w);
    const h = (w.cols / w.m) * w.n;
    for (let o = 0, t = 0; o < w.rows; o++) {
      let s = 0;
      for (const t1 = t + h; t < t1; t++) s += vals[t]! * x[xOff + cols[t]!]!;
      y[yOff + o] += s;
    }
    return;
  }
  const codes = groupCodes24(w);
  const groups = w.cols >> 2;
  for (let o = 0, g = 0, v = 0; o < w.rows; o++) {
    let s0 = 0, s1 = 0;
    let xb = xOff;
    for (const g1 = g + groups; g < g1; g++, v += 2, xb += 4) {
      const code = codes[g]!;
      s0 += vals[v]! * x[xb + (code & 3)]!;
      s1 += vals[v + 1]! * x[xb + (code >> 2)]!;
    }
    y[yOff + o] += s0 + s1;
  }
}
