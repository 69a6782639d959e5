// Max and average pooling over [planes, d, h, w] (planes = batch·channels), stated in 3-D, with the
// reference's semantics (src/tensor/kernels/reference/pool.ts) to the last bit: windows visit their
// in-bounds taps in the same order, max compares in f32 (exact), and sums accumulate in f64 in the
// reference's order, rounded to f32 once at the end. Threads split the planes, so no two threads
// write the same output or input value.
//
// Every kernel takes the geometry first, (planes, d, h, w, od, oh, ow, kd, kh, kw, sd, sh, sw,
// pd, ph, pw, dd, dh, dw), then its pointers. (Arguments, not globals as in im2col: they stay in
// registers in the inner loops.)
// The backward kernels accumulate one plane at a time in f64 at acc + tid·d·h·w·8 bytes.
import { rangeStart } from './common';

/** First tap t of a window starting at `start` (dilation dil) with start + t·dil >= 0. */
@inline function tapLo(start: i32, dil: i32): i32 {
  return start >= 0 ? 0 : (dil - 1 - start) / dil;
}

/** One past the last of k taps with start + t·dil < n (may be below tapLo: no taps). */
@inline function tapHi(start: i32, dil: i32, k: i32, n: i32): i32 {
  // Windows inside the input (most of them) need no division.
  if (start + (k - 1) * dil < n) return k;
  return start >= n ? 0 : (n - 1 - start) / dil + 1;
}

@inline function span(lo: i32, hi: i32): i32 {
  return hi > lo ? hi - lo : 0;
}

/**
 * values[o] = the window's maximum, argmax[o] = its flat index in the plane: the first maximum in
 * window order wins ties, a NaN wins over any number, and a window wholly in padding gives -Infinity
 * and -1.
 */
export function maxPool(
  tid: i32, nt: i32, planes: i32,
  d: i32, h: i32, w: i32, od: i32, oh: i32, ow: i32, kd: i32, kh: i32, kw: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
  x: usize, values: usize, argmax: usize,
): void {
  const p0 = rangeStart(planes, tid, nt);
  const p1 = rangeStart(planes, tid + 1, nt);
  const inPlane = d * h * w;
  const outPlane = od * oh * ow;
  for (let p = p0; p < p1; p++) {
    const xp = x + (<usize>p * <usize>inPlane << 2);
    let o = <usize>p * <usize>outPlane << 2;
    for (let z = 0; z < od; z++) {
      const z0 = z * sd - pd;
      const a0 = tapLo(z0, dd), a1 = tapHi(z0, dd, kd, d);
      for (let y = 0; y < oh; y++) {
        const y0 = y * sh - ph;
        const b0 = tapLo(y0, dh), b1 = tapHi(y0, dh, kh, h);
        for (let q = 0; q < ow; q++, o += 4) {
          const x0 = q * sw - pw;
          const e0 = tapLo(x0, dw), e1 = tapHi(x0, dw, kw, w);
          let best: f32 = -Infinity;
          let at: i32 = -1;
          for (let a = a0; a < a1; a++) {
            const slab = (z0 + a * dd) * h;
            for (let b = b0; b < b1; b++) {
              const row = (slab + y0 + b * dh) * w + x0;
              for (let e = e0; e < e1; e++) {
                const i = row + e * dw;
                const v = load<f32>(xp + (<usize>i << 2));
                // Selects rather than a branch: on real data the comparison is hard to predict.
                const wins = (at < 0) | (v > best) | ((v != v) & (best == best));
                best = select<f32>(v, best, wins);
                at = select<i32>(i, at, wins);
              }
            }
          }
          store<f32>(values + o, best);
          store<i32>(argmax + o, at);
        }
      }
    }
  }
}

/** dx = Σ dy[o] at argmax[o] (in output order, in f64); argmax -1 adds nothing. */
export function maxPoolBackward(
  tid: i32, nt: i32, planes: i32,
  d: i32, h: i32, w: i32, od: i32, oh: i32, ow: i32, kd: i32, kh: i32, kw: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
  dy: usize, argmax: usize, dx: usize, acc: usize,
): void {
  const p0 = rangeStart(planes, tid, nt);
  const p1 = rangeStart(planes, tid + 1, nt);
  const inPlane = d * h * w;
  const outPlane = od * oh * ow;
  const sum = acc + (<usize>tid * <usize>inPlane << 3);
  for (let p = p0; p < p1; p++) {
    memory.fill(sum, 0, <usize>inPlane << 3);
    const first = <usize>p * <usize>outPlane << 2;
    const end = first + (<usize>outPlane << 2);
    for (let o = first; o < end; o += 4) {
      const at = load<i32>(argmax + o);
      if (at >= 0) {
        const s = sum + (<usize>at << 3);
        store<f64>(s, load<f64>(s) + <f64>load<f32>(dy + o));
      }
    }
    writePlane(dx + (<usize>p * <usize>inPlane << 2), sum, inPlane);
  }
}

/** dst[i] = f32(src[i]) for n values. */
@inline function writePlane(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}

/** A window's divisor: its full volume, or its count of in-bounds taps when cip is 0. */
@inline function divisor(cip: i32, volume: i32, count: i32): f64 {
  return <f64>(cip != 0 ? volume : count);
}

/** y[o] = the window's in-bounds sum (f64, window order) / its divisor, rounded to f32. */
export function avgPool(
  tid: i32, nt: i32, planes: i32,
  d: i32, h: i32, w: i32, od: i32, oh: i32, ow: i32, kd: i32, kh: i32, kw: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
  cip: i32, x: usize, out: usize,
): void {
  const p0 = rangeStart(planes, tid, nt);
  const p1 = rangeStart(planes, tid + 1, nt);
  const inPlane = d * h * w;
  const outPlane = od * oh * ow;
  for (let p = p0; p < p1; p++) {
    const xp = x + (<usize>p * <usize>inPlane << 2);
    let o = <usize>p * <usize>outPlane << 2;
    for (let z = 0; z < od; z++) {
      const z0 = z * sd - pd;
      const a0 = tapLo(z0, dd), a1 = tapHi(z0, dd, kd, d);
      for (let y = 0; y < oh; y++) {
        const y0 = y * sh - ph;
        const b0 = tapLo(y0, dh), b1 = tapHi(y0, dh, kh, h);
        for (let q = 0; q < ow; q++, o += 4) {
          const x0 = q * sw - pw;
          const e0 = tapLo(x0, dw), e1 = tapHi(x0, dw, kw, w);
          let s: f64 = 0;
          for (let a = a0; a < a1; a++) {
            const slab = (z0 + a * dd) * h;
            for (let b = b0; b < b1; b++) {
              const row = (slab + y0 + b * dh) * w + x0;
              for (let e = e0; e < e1; e++) s += <f64>load<f32>(xp + (<usize>(row + e * dw) << 2));
            }
          }
          const count = span(a0, a1) * span(b0, b1) * span(e0, e1);
          store<f32>(out + o, <f32>(s / divisor(cip, kd * kh * kw, count)));
        }
      }
    }
  }
}

/** dx = Σ over windows of dy[o] / divisor at each in-bounds tap (output order, f64). */
export function avgPoolBackward(
  tid: i32, nt: i32, planes: i32,
  d: i32, h: i32, w: i32, od: i32, oh: i32, ow: i32, kd: i32, kh: i32, kw: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
  cip: i32, dy: usize, dx: usize, acc: usize,
): void {
  const p0 = rangeStart(planes, tid, nt);
  const p1 = rangeStart(planes, tid + 1, nt);
  const inPlane = d * h * w;
  const outPlane = od * oh * ow;
  const sum = acc + (<usize>tid * <usize>inPlane << 3);
  for (let p = p0; p < p1; p++) {
    memory.fill(sum, 0, <usize>inPlane << 3);
    let o = <usize>p * <usize>outPlane << 2;
    for (let z = 0; z < od; z++) {
      const z0 = z * sd - pd;
      const a0 = tapLo(z0, dd), a1 = tapHi(z0, dd, kd, d);
      for (let y = 0; y < oh; y++) {
        const y0 = y * sh - ph;
        const b0 = tapLo(y0, dh), b1 = tapHi(y0, dh, kh, h);
        for (let q = 0; q < ow; q++, o += 4) {
          const x0 = q * sw - pw;
          const e0 = tapLo(x0, dw), e1 = tapHi(x0, dw, kw, w);
          const count = span(a0, a1) * span(b0, b1) * span(e0, e1);
          const g = <f64>load<f32>(dy + o) / divisor(cip, kd * kh * kw, count);
          for (let a = a0; a < a1; a++) {
            const slab = (z0 + a * dd) * h;
            for (let b = b0; b < b1; b++) {
              const row = (slab + y0 + b * dh) * w + x0;
              for (let e = e0; e < e1; e++) {
                const s = sum + (<usize>(row + e * dw) << 3);
                store<f64>(s, load<f64>(s) + g);
              }
            }
          }
        }
      }
    }
    writePlane(dx + (<usize>p * <usize>inPlane << 2), sum, inPlane);
  }
}
