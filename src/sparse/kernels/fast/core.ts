/**
 * The one inner routine of the fast sparse kernels: rows of a compressed matrix times a dense
 * operand, accumulated into C.
 *
 *   C[cOff + r·ldc + j·cCs] += Σ_kept value · B[bOff + column·bRs + j·bCs]   for r < count, j < n,
 *   where compressed row = rowBase + r·rowStep.
 *
 * Design (weight-stationary): B is packed 64 columns at a time into a contiguous strip
 * [cols][64] (so no power-of-two row stride aliases cache sets, and transposed operands such as
 * xᵀ for Linear need no separate transpose). The reduction is cut into blocks whose strip rows
 * fit in L1 (~16 KB); inside a block each compressed row's kept values meet 8 strip columns at a
 * time, held in 8 local sums. Strip widths are padded to a multiple of 8 with zeros, so the inner
 * loop has no column tail.
 *
 * For 2:4 the positions of a group's two kept values are packed into one byte (p0 | p1 << 2):
 * a group costs one byte of index instead of two int32 columns, and the column is 4·g + p, no
 * table lookup. Other N:M patterns use the decoded int32 columns.
 */
import type { CompressedNM } from '../../compressed.js';
import { decodedColumns } from '../columns.js';

const STRIP = 64;
const L1_FLOATS = 4096;

let strip = new Float32Array(0);
const tail = new Float64Array(8);

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
  /** Elements between consecutive B columns. */
  bCs: number;
  n: number;
  c: Float32Array;
  cOff: number;
  ldc: number;
  /** Elements between consecutive C columns. */
  cCs: number;
}

/** Packs B[:, j0 .. j0+w] into strip [cols][sw], zero-padded to sw columns. */
function packStrip(q: RowsTimesDense, cols: number, j0: number, w: number, sw: number): void {
  if (strip.length < cols * sw) strip = new Float32Array(cols * sw);
  const { b, bRs, bCs } = q;
  for (let col = 0, o = 0; col < cols; col++, o += sw) {
    const src = q.bOff + col * bRs + j0 * bCs;
    let jj = 0;
    if (bCs === 1) for (; jj < w; jj++) strip[o + jj] = b[src + jj]!;
    else for (; jj < w; jj++) strip[o + jj] = b[src + jj * bCs]!;
    for (; jj < sw; jj++) strip[o + jj] = 0;
  }
}

/** Adds 8 sums (s[0..7] in `tail` when not all 8 columns are real) to C row `cRow` from column j. */
function storeTail(c: Float32Array, cRow: number, cCs: number, j: number, count: number): void {
  for (let k = 0; k < count; k++) c[cRow + (j + k) * cCs]! += tail[k]!;
}

export function rowsTimesDense(w: CompressedNM, q: RowsTimesDense): void {
  for (let j0 = 0; j0 < q.n; j0 += STRIP) {
    const width = Math.min(STRIP, q.n - j0);
    const sw = (width + 7) & ~7;
    packStrip(q, w.cols, j0, width, sw);
    if (is24(w)) strip24(w, q, j0, width, sw);
    else stripNM(w, q, j0, width, sw);
  }
}

function strip24(w: CompressedNM, q: RowsTimesDense, j0: number, width: number, sw: number): void {
  const vals = w.values;
  const codes = groupCodes24(w);
  const groups = w.cols >> 2;
  const { c, cCs } = q;
  const b = strip;
  const gStride = 4 * sw;
  const blockGroups = Math.max(1, Math.floor(L1_FLOATS / gStride));
  for (let gk = 0; gk < groups; gk += blockGroups) {
    const gkEnd = Math.min(groups, gk + blockGroups);
    for (let r = 0; r < q.count; r++) {
      const rowG = (q.rowBase + r * q.rowStep) * groups;
      const g0 = rowG + gk;
      const g1 = rowG + gkEnd;
      const cRow = q.cOff + r * q.ldc;
      for (let jj = 0; jj < sw; jj += 8) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          s4 = 0,
          s5 = 0,
          s6 = 0,
          s7 = 0;
        let gb = gk * gStride + jj;
        for (let g = g0, v = 2 * g0; g < g1; g++, v += 2, gb += gStride) {
          const code = codes[g]!;
          const v0 = vals[v]!,
            v1 = vals[v + 1]!;
          const p0 = gb + (code & 3) * sw;
          const p1 = gb + (code >> 2) * sw;
          s0 += v0 * b[p0]! + v1 * b[p1]!;
          s1 += v0 * b[p0 + 1]! + v1 * b[p1 + 1]!;
          s2 += v0 * b[p0 + 2]! + v1 * b[p1 + 2]!;
          s3 += v0 * b[p0 + 3]! + v1 * b[p1 + 3]!;
          s4 += v0 * b[p0 + 4]! + v1 * b[p1 + 4]!;
          s5 += v0 * b[p0 + 5]! + v1 * b[p1 + 5]!;
          s6 += v0 * b[p0 + 6]! + v1 * b[p1 + 6]!;
          s7 += v0 * b[p0 + 7]! + v1 * b[p1 + 7]!;
        }
        const j = j0 + jj;
        if (jj + 8 <= width && cCs === 1) {
          const o = cRow + j;
          c[o]! += s0;
          c[o + 1]! += s1;
          c[o + 2]! += s2;
          c[o + 3]! += s3;
          c[o + 4]! += s4;
          c[o + 5]! += s5;
          c[o + 6]! += s6;
          c[o + 7]! += s7;
        } else {
          tail[0] = s0;
          tail[1] = s1;
          tail[2] = s2;
          tail[3] = s3;
          tail[4] = s4;
          tail[5] = s5;
          tail[6] = s6;
          tail[7] = s7;
          storeTail(c, cRow, cCs, j, Math.min(8, width - jj));
        }
      }
    }
  }
}

function stripNM(w: CompressedNM, q: RowsTimesDense, j0: number, width: number, sw: number): void {
  const vals = w.values;
  const cols = decodedColumns(w);
  const h = (w.cols / w.m) * w.n;
  const { c, cCs } = q;
  const b = strip;
  for (let r = 0; r < q.count; r++) {
    const t0 = (q.rowBase + r * q.rowStep) * h;
    const t1 = t0 + h;
    const cRow = q.cOff + r * q.ldc;
    for (let jj = 0; jj < sw; jj += 8) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0;
      for (let t = t0; t < t1; t++) {
        const v = vals[t]!;
        const p = cols[t]! * sw + jj;
        s0 += v * b[p]!;
        s1 += v * b[p + 1]!;
        s2 += v * b[p + 2]!;
        s3 += v * b[p + 3]!;
        s4 += v * b[p + 4]!;
        s5 += v * b[p + 5]!;
        s6 += v * b[p + 6]!;
        s7 += v * b[p + 7]!;
      }
      tail[0] = s0;
      tail[1] = s1;
      tail[2] = s2;
      tail[3] = s3;
      tail[4] = s4;
      tail[5] = s5;
      tail[6] = s6;
      tail[7] = s7;
      storeTail(c, cRow, cCs, j0 + jj, Math.min(8, width - jj));
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
      y[yOff + o]! += s;
    }
    return;
  }
  const codes = groupCodes24(w);
  const groups = w.cols >> 2;
  for (let o = 0, g = 0, v = 0; o < w.rows; o++) {
    let s0 = 0,
      s1 = 0;
    let xb = xOff;
    for (const g1 = g + groups; g < g1; g++, v += 2, xb += 4) {
      const code = codes[g]!;
      s0 += vals[v]! * x[xb + (code & 3)]!;
      s1 += vals[v + 1]! * x[xb + (code >> 2)]!;
    }
    y[yOff + o]! += s0 + s1;
  }
}
