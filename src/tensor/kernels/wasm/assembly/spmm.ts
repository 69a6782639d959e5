// Sparse × panel kernels. A compressed weight is a list of kept (value, offset) entries per output
// row; the dense operand is in panels (16 columns of the batch/spatial dimension per 64-byte row), so
// each kept value costs one broadcast and four full-width multiply-adds — no gathers. The offset of an
// entry is its input index times 64, the byte offset of that input's row inside a panel. The same
// loop serves every N:M pattern (and any other row-sparse matrix).
import { PANEL_BYTES, madd, rangeStart, storeStrided4 } from './common';
import { hsum } from './gemm';

/** Output rows per block of spmmPanels. */
const ROW_BLOCK: i32 = 64;

/**
 * out (rows × ncols; element (o, j) at y + o·yrs + j·ycs bytes) = bias + W · P for the panels P at pan
 * (panel p at pan + p·panelBytes). Entries: 8 bytes each (f32 value, u32 offset) at ent; the entries
 * of row o inside K block b are [starts[o·(nkb+1) + b], starts[o·(nkb+1) + b + 1]). Between K blocks
 * a row's partial sums wait in tmp (rows × 64 bytes; each thread touches only its own rows). Threads split the rows.
 */
export function spmmPanels(
  tid: i32, nt: i32, ent: usize, starts: usize, nkb: i32, rows: i32,
  pan: usize, panelBytes: usize, ncols: i32, y: usize, yrs: usize, ycs: usize, bias: usize, tmp: usize,
): void {
  const t0 = rangeStart(rows, tid, nt);
  const t1 = rangeStart(rows, tid + 1, nt);
  const panels = (ncols + 15) >> 4;
  const sRow = <usize>(nkb + 1) << 2;
  // Blocks of ROW_BLOCK rows: their entries (~256 KiB for 1024 inputs at 2:4) stay in L2 while every
  // panel passes over them, so the weight streams from memory once, not once per panel.
  for (let o0 = t0; o0 < t1; o0 += ROW_BLOCK) {
  const o1 = min(t1, o0 + ROW_BLOCK);
  for (let p = 0; p < panels; p++) {
    const base = pan + <usize>p * panelBytes;
    const j0 = p << 4;
    const w = min(16, ncols - j0);
    for (let kb = 0; kb < nkb; kb++) {
      const last = kb == nkb - 1;
      for (let o = o0; o < o1; o++) {
        const t = tmp + (<usize>o << 6);
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        if (kb > 0) {
          a0 = v128.load(t); a1 = v128.load(t, 16); a2 = v128.load(t, 32); a3 = v128.load(t, 48);
        }
        const sp = starts + <usize>o * sRow + (<usize>kb << 2);
        let e = ent + (<usize>load<u32>(sp) << 3);
        const end = ent + (<usize>load<u32>(sp, 4) << 3);
        // Two kept values per step: their two products are summed before the accumulator add.
        for (; e + 16 <= end; e += 16) {
          const v0 = f32x4.splat(load<f32>(e));
          const q = base + <usize>load<u32>(e, 4);
          const v1 = f32x4.splat(load<f32>(e, 8));
          const r = base + <usize>load<u32>(e, 12);
          a0 = f32x4.add(a0, madd(v0, v128.load(q), f32x4.mul(v1, v128.load(r))));
          a1 = f32x4.add(a1, madd(v0, v128.load(q, 16), f32x4.mul(v1, v128.load(r, 16))));
          a2 = f32x4.add(a2, madd(v0, v128.load(q, 32), f32x4.mul(v1, v128.load(r, 32))));
          a3 = f32x4.add(a3, madd(v0, v128.load(q, 48), f32x4.mul(v1, v128.load(r, 48))));
        }
        if (e < end) {
          const v0 = f32x4.splat(load<f32>(e));
          const q = base + <usize>load<u32>(e, 4);
          a0 = madd(v0, v128.load(q), a0);
          a1 = madd(v0, v128.load(q, 16), a1);
          a2 = madd(v0, v128.load(q, 32), a2);
          a3 = madd(v0, v128.load(q, 48), a3);
        }
        if (!last) {
          v128.store(t, a0); v128.store(t, a1, 16); v128.store(t, a2, 32); v128.store(t, a3, 48);
          continue;
        }
        if (bias != 0) {
          const bv = v128.load32_splat(bias + (<usize>o << 2));
          a0 = f32x4.add(a0, bv); a1 = f32x4.add(a1, bv); a2 = f32x4.add(a2, bv); a3 = f32x4.add(a3, bv);
        }
        const out = y + <usize>o * yrs + <usize>j0 * ycs;
        if (ycs == 4 && w == 16) {
          v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
        } else {
          storeStrided4(out, ycs, a0, w);
          storeStrided4(out + 4 * ycs, ycs, a1, w - 4);
          storeStrided4(out + 8 * ycs, ycs, a2, w - 8);
          storeStrided4(out + 12 * ycs, ycs, a3, w - 12);
        }
      }
    }
  }
  }
}

/**
 * Sparse rows × a few dense vectors, scalar: y[r·rows + o] = bias[o] + Σ value · x[r·k + index] over
 * the kept entries of row o (offset = index·4 here). For batch sizes below a panel and for patterns
 * without a tuned vector path. Threads split the rows.
 */
export function spmvRows(tid: i32, nt: i32, ent: usize, starts: usize, rows: i32, x: usize, k: i32, nvec: i32, y: usize, bias: usize): void {
  const o0 = rangeStart(rows, tid, nt);
  const o1 = rangeStart(rows, tid + 1, nt);
  for (let r = 0; r < nvec; r++) {
    const xr = x + (<usize>r * <usize>k << 2);
    const yr = y + (<usize>r * <usize>rows << 2);
    for (let o = o0; o < o1; o++) {
      // One K block: row o's entries are [starts[2o], starts[2o + 1]).
      let e = ent + (<usize>load<u32>(starts + (<usize>o << 3)) << 3);
      const end = ent + (<usize>load<u32>(starts + (<usize>o << 3), 4) << 3);
      let s0: f32 = 0, s1: f32 = 0;
      for (; e + 16 <= end; e += 16) {
        s0 += load<f32>(e) * load<f32>(xr + <usize>load<u32>(e, 4));
        s1 += load<f32>(e, 8) * load<f32>(xr + <usize>load<u32>(e, 12));
      }
      if (e < end) s0 += load<f32>(e) * load<f32>(xr + <usize>load<u32>(e, 4));
      store<f32>(yr + (<usize>o << 2), (bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0) + (s0 + s1));
    }
  }
}

/**
 * The tuned 2:4 batch-1 path. Rows are stored in pairs: per pair and group of four inputs, 16 bytes
 * of values (row a's two, row b's two) at vals and, at pats, the 16-bit address of the swizzle mask
 * (one of 36 in the first memory page, for pattern 6·a + b, each 0..5 naming which two of the four
 * positions a row keeps) that gathers the four inputs each value multiplies into place. Per group:
 * one input load, one mask load, one swizzle, one multiply-add, for 18 bytes of weight against 32
 * dense. (A mask address rather than a pattern number saves the index arithmetic per group.)
 * y[r·rows + o] for the nvec vectors x (k floats each). Threads split the pairs.
 */
export function spmv24Pairs(tid: i32, nt: i32, vals: usize, pats: usize, rows: i32, x: usize, k: i32, nvec: i32, y: usize, bias: usize): void {
  const pairs = (rows + 1) >> 1;
  const q0 = rangeStart(pairs, tid, nt);
  const q1 = rangeStart(pairs, tid + 1, nt);
  const groups = k >> 2;
  for (let r = 0; r < nvec; r++) {
    const xr = x + (<usize>r * <usize>k << 2);
    const yr = y + (<usize>r * <usize>rows << 2);
    for (let q = q0; q < q1; q++) {
      let v = vals + (<usize>q * <usize>groups << 4);
      let pp = pats + (<usize>q * <usize>groups << 1);
      let xp = xr;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let g = 0;
      for (; g + 2 <= groups; g += 2) {
        const m0 = v128.load(<usize>load<u16>(pp));
        const m1 = v128.load(<usize>load<u16>(pp, 2));
        s0 = madd(v128.load(v), i8x16.swizzle(v128.load(xp), m0), s0);
        s1 = madd(v128.load(v, 16), i8x16.swizzle(v128.load(xp, 16), m1), s1);
        v += 32;
        pp += 4;
        xp += 32;
      }
      if (g < groups) {
        const m0 = v128.load(<usize>load<u16>(pp));
        s0 = madd(v128.load(v), i8x16.swizzle(v128.load(xp), m0), s0);
      }
      const s = f32x4.add(s0, s1);
      const o = q << 1;
      const ba: f32 = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
      store<f32>(yr + (<usize>o << 2), ba + (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)));
      if (o + 1 < rows) {
        const bb: f32 = bias != 0 ? load<f32>(bias + (<usize>(o + 1) << 2)) : 0;
        store<f32>(yr + (<usize>(o + 1) << 2), bb + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3)));
      }
    }
  }
}

export { hsum };
