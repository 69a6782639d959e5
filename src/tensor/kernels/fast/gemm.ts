import type { GemmParams } from '../types.js';

/**
 * A packed, register-blocked GEMM in plain TypeScript (the BLIS loop structure, scaled down to
 * what V8 keeps in registers).
 *
 * - The reduction is cut into KC-long slices so that one packed 4-column panel of B (KC·4 floats)
 *   stays in L1 while it meets every packed 4-row panel of A of an MC-row block (in L2).
 * - Panels are packed contiguously, interleaved by 4 (`[t][4]`), so the micro-kernel reads both
 *   operands with unit stride whatever the transposes or leading dimensions were, and tails are
 *   zero-padded, so the micro-kernel has no edge cases inside its loop.
 * - The 4×4 micro-kernel holds 16 sums in locals: 8 loads feed 16 multiply-adds.
 * - Sums are JS numbers (float64) within a slice and rounded into C once per slice, so results
 *   stay within a few float32 ulps of the float64 reference.
 *
 * Operands are strided views, so conv can hand in sub-matrices and transposes without copies.
 */

/** Element (i, j) of a matrix lies at data[off + i·rs + j·cs]. */
export interface MatView {
  readonly data: Float32Array;
  readonly off: number;
  readonly rs: number;
  readonly cs: number;
}

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128;

let packA = new Float32Array(MC * KC);
let packB = new Float32Array(0);
const edge = new Float64Array(MR * NR);

/** Copies op(A)[i0 .. i0+mc, p0 .. p0+kc] into 4-row panels, [panel][t][4], zero rows past mc. */
function packPanelsA(a: MatView, i0: number, mc: number, p0: number, kc: number, out: Float32Array): void {
  const { data, rs, cs } = a;
  let o = 0;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = Math.min(MR, mc - ip);
    for (let t = 0; t < kc; t++) {
      const base = a.off + (i0 + ip) * rs + (p0 + t) * cs;
      for (let r = 0; r < MR; r++) out[o++] = r < rows ? data[base + r * rs]! : 0;
    }
  }
}

/** Copies op(B)[p0 .. p0+kc, 0 .. n] into 4-column panels, [panel][t][4], zero columns past n. */
function packPanelsB(b: MatView, p0: number, kc: number, n: number, out: Float32Array): void {
  const { data, rs, cs } = b;
  let o = 0;
  for (let jp = 0; jp < n; jp += NR) {
    const cols = Math.min(NR, n - jp);
    if (cols === NR) {
      for (let t = 0; t < kc; t++) {
        const base = b.off + (p0 + t) * rs + jp * cs;
        out[o] = data[base]!;
        out[o + 1] = data[base + cs]!;
        out[o + 2] = data[base + 2 * cs]!;
        out[o + 3] = data[base + 3 * cs]!;
        o += 4;
      }
    } else {
      for (let t = 0; t < kc; t++) {
        const base = b.off + (p0 + t) * rs + jp * cs;
        for (let j = 0; j < NR; j++) out[o++] = j < cols ? data[base + j * cs]! : 0;
      }
    }
  }
}

/** C[co ..] += A-panel · B-panel for one 4×4 tile (mr×nr of it real). */
function microKernel(
  ap: Float32Array,
  ao: number,
  bp: Float32Array,
  bo: number,
  kc: number,
  c: Float32Array,
  co: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const end = ao + kc * 4;
  for (; ao < end; ao += 4, bo += 4) {
    const a0 = ap[ao]!,
      a1 = ap[ao + 1]!,
      a2 = ap[ao + 2]!,
      a3 = ap[ao + 3]!;
    const b0 = bp[bo]!,
      b1 = bp[bo + 1]!,
      b2 = bp[bo + 2]!,
      b3 = bp[bo + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (mr === MR && nr === NR) {
    let o = co;
    c[o]! += c00;
    c[o + 1]! += c01;
    c[o + 2]! += c02;
    c[o + 3]! += c03;
    o += ldc;
    c[o]! += c10;
    c[o + 1]! += c11;
    c[o + 2]! += c12;
    c[o + 3]! += c13;
    o += ldc;
    c[o]! += c20;
    c[o + 1]! += c21;
    c[o + 2]! += c22;
    c[o + 3]! += c23;
    o += ldc;
    c[o]! += c30;
    c[o + 1]! += c31;
    c[o + 2]! += c32;
    c[o + 3]! += c33;
    return;
  }
  edge[0] = c00;
  edge[1] = c01;
  edge[2] = c02;
  edge[3] = c03;
  edge[4] = c10;
  edge[5] = c11;
  edge[6] = c12;
  edge[7] = c13;
  edge[8] = c20;
  edge[9] = c21;
  edge[10] = c22;
  edge[11] = c23;
  edge[12] = c30;
  edge[13] = c31;
  edge[14] = c32;
  edge[15] = c33;
  for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) c[co + i * ldc + j]! += edge[i * NR + j]!;
}

/**
 * Thin products (fewer than 4 rows or columns): packing would copy as many values as are
 * multiplied, so the operands are read in place. Sums are float64 over the whole reduction.
 */
function thinGemm(
  a: MatView,
  b: MatView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  m: number,
  k: number,
  n: number,
): void {
  const ad = a.data,
    bd = b.data;
  const ars = a.rs,
    acs = a.cs,
    brs = b.rs,
    bcs = b.cs;
  if (brs === 1 || n < NR) {
    // Dot products, four independent partial sums to hide add latency.
    for (let i = 0; i < m; i++) {
      const ai = a.off + i * ars;
      for (let j = 0; j < n; j++) {
        const bj = b.off + j * bcs;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let t = 0;
        for (; t + 3 < k; t += 4) {
          s0 += ad[ai + t * acs]! * bd[bj + t * brs]!;
          s1 += ad[ai + (t + 1) * acs]! * bd[bj + (t + 1) * brs]!;
          s2 += ad[ai + (t + 2) * acs]! * bd[bj + (t + 2) * brs]!;
          s3 += ad[ai + (t + 3) * acs]! * bd[bj + (t + 3) * brs]!;
        }
        for (; t < k; t++) s0 += ad[ai + t * acs]! * bd[bj + t * brs]!;
        c[cOff + i * ldc + j]! += s0 + s1 + s2 + s3;
      }
    }
    return;
  }
  // B rows are contiguous: axpy each row of B into a float64 row of C.
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let t = 0; t < k; t++) {
      const av = ad[a.off + i * a.rs + t * a.cs]!;
      if (av === 0) continue;
      const bt = b.off + t * b.rs;
      for (let j = 0; j < n; j++) acc[j]! += av * bd[bt + j * b.cs]!;
    }
    for (let j = 0; j < n; j++) c[cOff + i * ldc + j]! += acc[j]!;
  }
}

/** C[cOff + i·ldc + j] += Σ_t op(A)[i, t] · op(B)[t, j] for an m×k by k×n product. */
export function gemmInto(
  a: MatView,
  b: MatView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  m: number,
  k: number,
  n: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (m < MR || n < NR) {
    thinGemm(a, b, c, cOff, ldc, m, k, n);
    return;
  }
  const nPadded = Math.ceil(n / NR) * NR;
  if (packB.length < nPadded * KC) packB = new Float32Array(nPadded * KC);
  if (packA.length < MC * KC) packA = new Float32Array(MC * KC);
  const ap = packA,
    bp = packB;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    packPanelsB(b, p0, kc, n, bp);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = Math.min(MC, m - i0);
      packPanelsA(a, i0, mc, p0, kc, ap);
      for (let jp = 0; jp < n; jp += NR) {
        const nr = Math.min(NR, n - jp);
        const bo = jp * kc;
        for (let ip = 0; ip < mc; ip += MR) {
          microKernel(ap, ip * kc, bp, bo, kc, c, cOff + (i0 + ip) * ldc + jp, ldc, Math.min(MR, mc - ip), nr);
        }
      }
    }
  }
}

/** The DenseKernels gemm: batched, transposes and stride-0 broadcast per GemmParams. */
export function gemm(a: Float32Array, b: Float32Array, p: GemmParams): Float32Array {
  const { batch, m, k, n, transA, transB, strideA, strideB } = p;
  const c = new Float32Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    const av: MatView = { data: a, off: bi * strideA, rs: transA ? 1 : k, cs: transA ? m : 1 };
    const bv: MatView = { data: b, off: bi * strideB, rs: transB ? 1 : n, cs: transB ? k : 1 };
    gemmInto(av, bv, c, bi * m * n, n, m, k, n);
  }
  return c;
}
