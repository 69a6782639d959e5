/**
 * The N:M rule of `masknm.ts` without enumerating the C(M, N) subsets.
 *
 * The rule: score every N-subset by adding its |w| in ascending position order, rounding to
 * float32 after each addition; keep the first subset (lexicographic order of positions) with the
 * highest score; a NaN score wins at once. Where nothing rounds, that is exactly "the N largest
 * |w|, the lower position first among equal values". Rounding can make a different subset tie
 * or even win (e.g. 1 + 2^-24 rounds to 1), so the selection is exact in three steps:
 *
 * 1. Sort the group by (|w| descending, position ascending): the top N, T. (One value, N = 1,
 *    never rounds: the first largest wins.) O(M log M).
 * 2. Bound the damage: a subset S can score at least score(T) only if
 *    Σ_S (1 + 2^-24)^(N-1) >= score(T). That forces the clearly large values in and the clearly
 *    small ones out; if nothing is left undecided, T is the answer (random weights, nearly always).
 * 3. Near-ties left undecided (the "band") still give T when no sum of N values can round (all
 *    |w| multiples of 2^q and the top-N sum at most 2^(q+24): zeros, small integers, quantized and
 *    float16-derived weights), or when nothing is forced in and the band is one repeated value.
 * 4. Otherwise a dynamic program over positions settles the band: the best rounded partial sum
 *    per count of band values chosen gives the maximal score V (rounding is monotone, so the
 *    largest partial sum never ends lower); a backward pass gives, for every position and count,
 *    the least partial sum from which V is still reachable; a forward walk then takes each band
 *    position as early as V allows, which is the lexicographically first optimal subset.
 *    O(M * K) for K band values still to choose: at most 256 * 129 states for a 128:256 group.
 *
 * The test suite keeps the enumerator as an oracle and checks the two agree.
 */
import { F32_INF_BITS, F32_MAX, F32_OVERFLOW, F32_UNIT, f32Bits, leastAddendReaching, lowBitExponent } from './f32.js';

const OUT = 0;
const IN = 1;
const BAND = 2;
/** Positions are packed below the sort key's value part; M <= 256 fits. */
const POSITION_SLOTS = 512;

/** Selects N of every M |w| values by the rule above; one instance per (N, M), reused across groups. */
export class TopNSelector {
  readonly n: number;
  readonly m: number;
  private readonly keys: Float64Array;
  private readonly order: Int32Array;
  private readonly role: Uint8Array;
  private readonly best: Float64Array;
  private readonly reach: Float64Array;

  constructor(n: number, m: number) {
    this.n = n;
    this.m = m;
    this.keys = new Float64Array(m);
    this.order = new Int32Array(m);
    this.role = new Uint8Array(m);
    this.best = new Float64Array(n + 1);
    this.reach = new Float64Array((m + 1) * (n + 1));
  }

  /**
   * Sets `mask[offset + i] = 1` for the kept positions i of the group `abs` (M values |w|, each a
   * float32 value: non-negative, +Inf or NaN). Other entries of `mask` are left alone.
   */
  select(abs: ArrayLike<number>, mask: Uint8Array, offset: number): void {
    const { n, m, order, role } = this;
    let finite = true;
    let first = 0;
    for (let i = 0; i < m; i++) {
      const a = abs[i]!;
      if (Number.isNaN(a)) {
        // The first subset holding a NaN: 0..N-1 if the NaN is among them, else 0..N-2 and it.
        for (let t = 0; t < n - 1; t++) mask[offset + t] = 1;
        mask[offset + (i < n ? n - 1 : i)] = 1;
        return;
      }
      if (a === Infinity) finite = false;
      if (a > abs[first]!) first = i;
    }
    if (n === 1) {
      mask[offset + first] = 1; // one value is never rounded: the first largest
      return;
    }
    this.sortGroup(abs);
    let choose = n;
    if (finite) choose = this.classify(abs);
    else role.fill(BAND); // +Inf values: no bound holds, the band is the whole group
    if (choose === 0 || (finite && noSumRounds(abs, order, n)) || this.flatBand(abs)) {
      for (let r = 0; r < n; r++) mask[offset + order[r]!] = 1;
      return;
    }
    this.settleBand(abs, choose, mask, offset);
  }

  /** `order` = positions by |w| descending, the lower position first among equal values. */
  private sortGroup(abs: ArrayLike<number>): void {
    const { m, keys, order } = this;
    if (m <= 32) {
      // Insertion sort, stable: a short group costs less than a call into the native sort.
      for (let i = 0; i < m; i++) {
        const a = abs[i]!;
        let k = i;
        while (k > 0 && abs[order[k - 1]!]! < a) {
          order[k] = order[k - 1]!;
          k--;
        }
        order[k] = i;
      }
      return;
    }
    for (let i = 0; i < m; i++) keys[i] = (F32_INF_BITS - f32Bits(abs[i]!)) * POSITION_SLOTS + i;
    keys.sort();
    for (let r = 0; r < m; r++) order[r] = keys[r]! % POSITION_SLOTS;
  }

  /** Step 2: marks every position IN, OUT or BAND; returns how many band positions must be kept. */
  private classify(abs: ArrayLike<number>): number {
    const { n, m, order, role } = this;
    role.fill(OUT);
    let sumT = 0;
    for (let r = 0; r < n; r++) {
      role[order[r]!] = IN;
      sumT += abs[order[r]!]!;
    }
    let scoreT = 0;
    for (let i = 0; i < m; i++) if (role[i] === IN) scoreT = Math.fround(scoreT + abs[i]!);
    // Margin for the float64 arithmetic of these bounds (its error is below 2^-45 of sumT).
    const slack = sumT * 2 ** -40;
    const lower = Math.min(scoreT, F32_OVERFLOW) / (1 + F32_UNIT) ** (n - 1) - slack;
    const lastIn = abs[order[n - 1]!]!;
    const firstOut = abs[order[n]!]!;
    let band = 0;
    for (let r = 0; r < m; r++) {
      const i = order[r]!;
      // Best sum of a subset without i (i in T) or with i (i not in T).
      const bestOther = r < n ? sumT - abs[i]! + firstOut : sumT - lastIn + abs[i]!;
      if (bestOther >= lower) {
        role[i] = BAND;
        if (r < n) band++;
      }
    }
    return band;
  }

  /**
   * Nothing forced in and every band value equal (a constant group, say 0.1 everywhere): every
   * candidate adds the same values in the same order, so all tie and the first N band positions,
   * which are T, win. Saves the dynamic program on the one input that makes it cost the most.
   */
  private flatBand(abs: ArrayLike<number>): boolean {
    const { m, role } = this;
    let value = Number.NaN;
    for (let i = 0; i < m; i++) {
      if (role[i] === IN) return false;
      if (role[i] !== BAND) continue;
      if (Number.isNaN(value)) value = abs[i]!;
      else if (abs[i] !== value) return false;
    }
    return true;
  }

  /** Step 4: the lexicographically first optimal choice of `choose` band positions. */
  private settleBand(abs: ArrayLike<number>, choose: number, mask: Uint8Array, offset: number): void {
    const { m, role, best, reach } = this;
    const width = choose + 1;
    best.fill(-Infinity, 0, width);
    best[0] = 0;
    for (let i = 0; i < m; i++) {
      const a = abs[i]!;
      if (role[i] === IN) {
        for (let j = 0; j < width; j++) if (best[j]! !== -Infinity) best[j] = Math.fround(best[j]! + a);
      } else if (role[i] === BAND) {
        for (let j = choose; j >= 1; j--) {
          if (best[j - 1] === -Infinity) continue;
          const taken = Math.fround(best[j - 1]! + a);
          if (taken > best[j]!) best[j] = taken;
        }
      }
    }
    const top = best[choose]!;
    // reach[i * width + j]: least partial sum before position i, with j band values still to
    // choose, from which `top` is reachable; NaN where it is not reachable at all.
    // Only counts the forward walk can meet are filled: j <= band positions from i on, and
    // j >= choose - band positions before i. The others stay NaN and are never read.
    reach.fill(Number.NaN, 0, (m + 1) * width);
    reach[m * width] = top;
    let bandTotal = 0;
    for (let i = 0; i < m; i++) if (role[i] === BAND) bandTotal++;
    let bandFrom = 0;
    for (let i = m - 1; i >= 0; i--) {
      const a = abs[i]!;
      const r = role[i]!;
      if (r === BAND) bandFrom++;
      const lo = Math.max(0, choose - (bandTotal - bandFrom));
      const hi = Math.min(choose, bandFrom);
      for (let j = lo; j <= hi; j++) {
        const skip = reach[(i + 1) * width + j]!;
        let value = skip;
        if (r === IN) value = Number.isNaN(skip) ? skip : leastAddendReaching(a, skip);
        else if (r === BAND && j > 0) {
          const next = reach[(i + 1) * width + j - 1]!;
          if (!Number.isNaN(next)) {
            const take = leastAddendReaching(a, next);
            if (Number.isNaN(skip) || take < skip) value = take;
          }
        }
        reach[i * width + j] = value;
      }
    }
    let s = 0;
    let left = choose;
    for (let i = 0; i < m; i++) {
      if (role[i] === OUT) continue;
      const after = Math.fround(s + abs[i]!);
      if (role[i] === IN || (left > 0 && after >= reach[(i + 1) * width + left - 1]!)) {
        if (role[i] === BAND) left--;
        mask[offset + i] = 1;
        s = after;
      }
    }
  }
}

/**
 * Step 1's test: every |w| is a multiple of 2^q and the largest possible sum of N of them is at
 * most 2^(q+24), so every partial sum is an integer multiple of 2^q below 2^24 units: exact.
 */
function noSumRounds(abs: ArrayLike<number>, order: Int32Array, n: number): boolean {
  let q = Infinity;
  for (let i = 0; i < order.length; i++) if (abs[i]! > 0) q = Math.min(q, lowBitExponent(abs[i]!));
  if (q === Infinity) return true;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += abs[order[r]!]!;
  return sum <= 2 ** (q + 24) && sum <= F32_MAX;
}
