/**
 * Float32 facts the exact N:M selection (`topn.ts`) relies on. Non-negative float32 values, +Inf
 * included, are ordered exactly as their bit patterns read as unsigned integers, so "the next
 * float32" is "bits + 1" and a search over float32 values is a search over integers.
 *
 * `Math.fround(s + a)` for float32 `s` and `a` is the correctly rounded float32 sum: the double
 * sum is rounded twice, which is harmless because 53 >= 2 * 24 + 2.
 */
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** Bits of +Infinity, the largest non-negative float32 pattern that is a number. */
export const F32_INF_BITS = 0x7f800000;

/** The largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;

/** The unit roundoff of float32 round-to-nearest: fround(x) <= x * (1 + F32_UNIT) for x > 0. */
export const F32_UNIT = 2 ** -24;

/** Exact sums below this are finite in float32 (2^128 - 2^103: halfway from F32_MAX to 2^128). */
export const F32_OVERFLOW = 2 ** 128 - 2 ** 103;

export function f32Bits(x: number): number {
  scratch[0] = x;
  return scratchBits[0]!;
}

export function f32FromBits(bits: number): number {
  scratchBits[0] = bits;
  return scratch[0]!;
}

/** q such that the positive finite float32 `x` is an odd integer times 2^q. */
export function lowBitExponent(x: number): number {
  const bits = f32Bits(x);
  const exponent = bits >>> 23;
  const significand = exponent === 0 ? bits & 0x7fffff : (bits & 0x7fffff) | 0x800000;
  const trailingZeros = 31 - Math.clz32(significand & -significand);
  return (exponent === 0 ? -149 : exponent - 150) + trailingZeros;
}

// A plain function, not a closure: this runs once per state of the band's dynamic program.
function reaches(bits: number, a: number, target: number): boolean {
  return Math.fround(f32FromBits(bits) + a) >= target;
}

/**
 * The least float32 `s` in [0, +Inf] with `fround(s + a) >= target`, for non-negative float32 `a`
 * and `target` (+Inf allowed). It exists because s = +Inf always qualifies; the predicate is
 * monotone in `s`, so it is a bisection over bit patterns, started from the nearest guess.
 */
export function leastAddendReaching(a: number, target: number): number {
  if (target <= a) return 0;
  let no = 0; // reaches(no) is false: fround(0 + a) = a < target
  let yes = F32_INF_BITS;
  const guess = Math.min(Math.max(f32Bits(Math.fround(target - a)), 1), F32_INF_BITS);
  // Gallop from the guess (almost always within one step of the answer), then bisect.
  if (reaches(guess, a, target)) {
    yes = guess;
    for (let step = 1; yes - step > no; step *= 2) {
      if (!reaches(yes - step, a, target)) {
        no = yes - step;
        break;
      }
      yes -= step;
    }
  } else {
    no = guess;
    for (let step = 1; no + step < yes; step *= 2) {
      if (reaches(no + step, a, target)) {
        yes = no + step;
        break;
      }
      no += step;
    }
  }
  while (yes - no > 1) {
    const mid = no + Math.floor((yes - no) / 2);
    if (reaches(mid, a, target)) yes = mid;
    else no = mid;
  }
  return f32FromBits(yes);
}
