// Shared helpers of the wasm kernels. Every exported kernel takes (tid, nt) first: the calling thread's
// index and the thread count. It computes only its own slice of the work, so the JavaScript side can run
// the same call on every thread at once and wait for all of them.

/** Bytes per row of a panel: 16 float32 lanes. Panels are the SIMD operand of every kernel. */
export const PANEL_BYTES: usize = 64;

/** Start of thread tid's share of `count` items split into nt contiguous ranges. */
@inline export function rangeStart(count: i32, tid: i32, nt: i32): i32 {
  return <i32>((<i64>count * tid) / nt);
}

/** Stores lanes [0, w) of the 8 floats (lo, hi) at p, w in 0..8. */
@inline export function storePartial8(p: usize, lo: v128, hi: v128, w: i32): void {
  if (w > 0) store<f32>(p, f32x4.extract_lane(lo, 0));
  if (w > 1) store<f32>(p, f32x4.extract_lane(lo, 1), 4);
  if (w > 2) store<f32>(p, f32x4.extract_lane(lo, 2), 8);
  if (w > 3) store<f32>(p, f32x4.extract_lane(lo, 3), 12);
  if (w > 4) store<f32>(p, f32x4.extract_lane(hi, 0), 16);
  if (w > 5) store<f32>(p, f32x4.extract_lane(hi, 1), 20);
  if (w > 6) store<f32>(p, f32x4.extract_lane(hi, 2), 24);
  if (w > 7) store<f32>(p, f32x4.extract_lane(hi, 3), 28);
}

/** Loads lanes [base, base + 4) of a row of w valid floats at p (the rest read as 0). */
@inline export function loadPartial4(p: usize, base: i32, w: i32): v128 {
  let v = f32x4.splat(0);
  if (w > base) v = f32x4.replace_lane(v, 0, load<f32>(p + (<usize>base << 2)));
  if (w > base + 1) v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>(base + 1) << 2)));
  if (w > base + 2) v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>(base + 2) << 2)));
  if (w > base + 3) v = f32x4.replace_lane(v, 3, load<f32>(p + (<usize>(base + 3) << 2)));
  return v;
}

/** Stores the 4 lanes of v at p, p + stride, p + 2·stride, p + 3·stride, the first w of them. */
@inline export function storeStrided4(p: usize, stride: usize, v: v128, w: i32): void {
  if (w > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (w > 1) store<f32>(p + stride, f32x4.extract_lane(v, 1));
  if (w > 2) store<f32>(p + 2 * stride, f32x4.extract_lane(v, 2));
  if (w > 3) store<f32>(p + 3 * stride, f32x4.extract_lane(v, 3));
}

/** Sets n floats at p to zero. */
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/**
 * c + a·b. The relaxed-SIMD build (chosen at run time where the engine validates it) fuses it into
 * one f32x4.relaxed_madd; the base build multiplies and adds (base SIMD128 has no fused form).
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
