// Dense GEMM: C (m × n) = A · B, or C += A · B. A is read in place through strides (one broadcast
// load per row and k step), B from panels (packPanels). The micro-kernel is a 4 × 8 tile: 8 vector
// accumulators + 4 broadcasts + 2 loads = 14 of the 15 vector registers V8 allocates, so nothing
// spills (a 4 × 8 tile unrolled by hand, or 5 × 8 / 6 × 8 tiles, spilled and ran slower).
import { PANEL_BYTES, loadPartial4, madd, rangeStart, storePartial8 } from './common';

/** Depth of one K block: a 4 × KC slice of A and a KC × 8 slice of a panel stay in L1/L2. */
const KC: i32 = 256;
/** Rows of A per block (reused across every panel of B while it sits in L2). */
const MC: i32 = 64;

// One 4 × 8 tile over kc steps. a: the strip's row k0 (4 floats per k step, packStrips). b: panel
// row k0, half h (8 columns at byte offset 32·h). c: C(i0, j0); rows × w valid (rows 1..4, w 1..8).
// The accumulators start at zero and C is added after the loop, so the loop has one entry state.
@inline function tile4(a: usize, b: usize, kc: i32, c: usize, ldc: usize, rows: i32, w: i32, load: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = a + (<usize>kc << 4);
  while (a < end) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const x0 = v128.load32_splat(a);
    const x1 = v128.load32_splat(a, 4);
    const x2 = v128.load32_splat(a, 8);
    const x3 = v128.load32_splat(a, 12);
    c00 = madd(x0, b0, c00); c01 = madd(x0, b1, c01);
    c10 = madd(x1, b0, c10); c11 = madd(x1, b1, c11);
    c20 = madd(x2, b0, c20); c21 = madd(x2, b1, c21);
    c30 = madd(x3, b0, c30); c31 = madd(x3, b1, c31);
    a += 16;
    b += PANEL_BYTES;
  }
  storeRow(c, c00, c01, w, load);
  if (rows > 1) storeRow(c + ldc, c10, c11, w, load);
  if (rows > 2) storeRow(c + 2 * ldc, c20, c21, w, load);
  if (rows > 3) storeRow(c + 3 * ldc, c30, c31, w, load);
}

@inline function storeRow(c: usize, lo: v128, hi: v128, w: i32, load: bool): void {
  if (w == 8) {
    if (load) {
      lo = f32x4.add(lo, v128.load(c));
      hi = f32x4.add(hi, v128.load(c, 16));
    }
    v128.store(c, lo);
    v128.store(c, hi, 16);
  } else {
    if (load) {
      lo = f32x4.add(lo, loadPartial4(c, 0, w));
      hi = f32x4.add(hi, loadPartial4(c, 4, w));
    }
    storePartial8(c, lo, hi, w);
  }
}

/**
 * Packs A (m × k; element (i, r) at a + 4·(i·ars + r·acs)) into strips of 4 rows: strip s holds, for
 * each r, rows 4s..4s+3 (zero past m), 16 bytes per r, at dst + s·k·16. Threads split the strips.
 */
export function packStrips(tid: i32, nt: i32, a: usize, ars: i32, acs: i32, m: i32, k: i32, dst: usize): void {
  const strips = (m + 3) >> 2;
  const s0 = rangeStart(strips, tid, nt);
  const s1 = rangeStart(strips, tid + 1, nt);
  const arsB = <usize>ars << 2, acsB = <usize>acs << 2;
  for (let s = s0; s < s1; s++) {
    const out = dst + (<usize>s * <usize>k << 4);
    for (let q = 0; q < 4; q++) {
      const i = (s << 2) + q;
      let o = out + (<usize>q << 2);
      if (i < m) {
        let src = a + <usize>i * arsB;
        for (let r = 0; r < k; r++, o += 16, src += acsB) store<f32>(o, load<f32>(src));
      } else {
        for (let r = 0; r < k; r++, o += 16) store<f32>(o, 0);
      }
    }
  }
}

/**
 * C (+)= A · B. A: strips at ap (packStrips), B: panels at bp (packPanels), both of depth k.
 * C (m × n) at c with row stride ldc floats; accumulate = 1 adds into C. Threads split the 8-column
 * halves of the panels when there are enough of them, else the strips.
 */
export function gemm(tid: i32, nt: i32, ap: usize, bp: usize, k: i32, m: i32, n: i32, c: usize, ldc: i32, accumulate: i32): void {
  const halves = (n + 7) >> 3;
  const strips = (m + 3) >> 2;
  let h0 = 0, h1 = halves, s0 = 0, s1 = strips;
  if (halves >= 2 * nt || strips < 2 * nt) {
    h0 = rangeStart(halves, tid, nt);
    h1 = rangeStart(halves, tid + 1, nt);
  } else {
    s0 = rangeStart(strips, tid, nt);
    s1 = rangeStart(strips, tid + 1, nt);
  }
  const ldcB = <usize>ldc << 2;
  const panelBytes = <usize>k * PANEL_BYTES;
  const stripBytes = <usize>k << 4;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const load = accumulate != 0 || k0 > 0;
    for (let sb = s0; sb < s1; sb += MC >> 2) {
      const se = min(sb + (MC >> 2), s1);
      for (let h = h0; h < h1; h++) {
        const j0 = h << 3;
        const w = min(8, n - j0);
        const b = bp + <usize>(h >> 1) * panelBytes + <usize>k0 * PANEL_BYTES + (<usize>(h & 1) << 5);
        for (let s = sb; s < se; s++) {
          const i = s << 2;
          tile4(ap + <usize>s * stripBytes + (<usize>k0 << 4), b, kc, c + <usize>i * ldcB + (<usize>j0 << 2), ldcB, min(4, m - i), w, load);
        }
      }
    }
  }
}

/**
 * y (rows × n) = x (rows × k) · Wᵀ for W (n × k) row-major, read in place: four dot products at a
 * time along k. For batch-1 and other thin Linear layers, where packing W would cost more than the
 * product; the loop is bound by reading W. Threads split W's rows.
 */
export function gemvNT(tid: i32, nt: i32, x: usize, w: usize, k: i32, n: i32, rows: i32, y: usize): void {
  const j0 = rangeStart(n, tid, nt);
  const j1 = rangeStart(n, tid + 1, nt);
  const kB = <usize>k << 2;
  const k4 = k & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * kB;
    const yr = y + <usize>r * (<usize>n << 2);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const w0 = w + <usize>j * kB, w1 = w0 + kB, w2 = w1 + kB, w3 = w2 + kB;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let t: usize = 0; t < <usize>k4 << 2; t += 16) {
        const xv = v128.load(xr + t);
        s0 = madd(xv, v128.load(w0 + t), s0);
        s1 = madd(xv, v128.load(w1 + t), s1);
        s2 = madd(xv, v128.load(w2 + t), s2);
        s3 = madd(xv, v128.load(w3 + t), s3);
      }
      let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
      for (let t = k4; t < k; t++) {
        const xs = load<f32>(xr + (<usize>t << 2));
        d0 += xs * load<f32>(w0 + (<usize>t << 2));
        d1 += xs * load<f32>(w1 + (<usize>t << 2));
        d2 += xs * load<f32>(w2 + (<usize>t << 2));
        d3 += xs * load<f32>(w3 + (<usize>t << 2));
      }
      store<f32>(yr + (<usize>j << 2), d0);
      store<f32>(yr + (<usize>j << 2), d1, 4);
      store<f32>(yr + (<usize>j << 2), d2, 8);
      store<f32>(yr + (<usize>j << 2), d3, 12);
    }
    for (; j < j1; j++) {
      const wj = w + <usize>j * kB;
      let s = f32x4.splat(0);
      for (let t: usize = 0; t < <usize>k4 << 2; t += 16) s = madd(v128.load(xr + t), v128.load(wj + t), s);
      let d = hsum(s);
      for (let t = k4; t < k; t++) d += load<f32>(xr + (<usize>t << 2)) * load<f32>(wj + (<usize>t << 2));
      store<f32>(yr + (<usize>j << 2), d);
    }
  }
}

@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** y[r·n + j] += bias[j] for r < rows. Threads split the rows. */
export function addBias(tid: i32, nt: i32, y: usize, bias: usize, rows: i32, n: i32): void {
  const r0 = rangeStart(rows, tid, nt);
  const r1 = rangeStart(rows, tid + 1, nt);
  for (let r = r0; r < r1; r++) {
    const yr = y + (<usize>r * <usize>n << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = yr + (<usize>j << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(bias + (<usize>j << 2))));
    }
    for (; j < n; j++) {
      const p = yr + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(bias + (<usize>j << 2)));
    }
  }
}

/** y[r·len + j] += bias[r % channels] for r < rows: a per-channel bias over [batch, channels, len]. */
export function addChannelBias(tid: i32, nt: i32, y: usize, bias: usize, rows: i32, channels: i32, len: i32): void {
  const r0 = rangeStart(rows, tid, nt);
  const r1 = rangeStart(rows, tid + 1, nt);
  for (let r = r0; r < r1; r++) {
    const bv = v128.load32_splat(bias + (<usize>(r % channels) << 2));
    let p = y + (<usize>r * <usize>len << 2);
    let j = 0;
    for (; j + 4 <= len; j += 4, p += 16) v128.store(p, f32x4.add(v128.load(p), bv));
    const b = f32x4.extract_lane(bv, 0);
    for (; j < len; j++, p += 4) store<f32>(p, load<f32>(p) + b);
  }
}
