/**
 * The matrix as the searches see it: |w| in float64, stored column-major so that a column is one
 * contiguous run of `rows` values. Scoring a set of four columns then walks four runs side by
 * side, and moving a column is one `copyWithin`. `perm[j]` is the original column now at j.
 */
import { top2 } from './objective.js';

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}

/** Colex rank of the set {a, b, c, d} of distinct column indices (any order). */
export function quadKey(a: number, b: number, c: number, d: number): number {
  let t: number;
  if (a > b) {
    t = a;
    a = b;
    b = t;
  }
  if (c > d) {
    t = c;
    c = d;
    d = t;
  }
  if (a > c) {
    t = a;
    a = c;
    c = t;
  }
  if (b > d) {
    t = b;
    b = d;
    d = t;
  }
  if (b > c) {
    t = b;
    b = c;
    c = t;
  }
  return (d * (d - 1) * (d - 2) * (d - 3)) / 24 + (c * (c - 1) * (c - 2)) / 6 + (b * (b - 1)) / 2 + a;
}

/**
 * Remembers the best arrangement seen at pass boundaries. Escapes may end a search below where it
 * was (apex returns that final state); we return the best state instead, never below the start.
 */
export class BestKeeper {
  private best: Int32Array;
  private bestTotal: number;

  constructor(private readonly ws: Workspace) {
    this.best = ws.perm.slice();
    this.bestTotal = ws.total();
  }

  /** Records the current state if it keeps strictly more; returns the current kept magnitude. */
  observe(): number {
    const t = this.ws.total();
    if (t > this.bestTotal) {
      this.bestTotal = t;
      this.best = this.ws.perm.slice();
    }
    return t;
  }

  /** Puts the workspace back to the best state if the current one keeps less. */
  restore(): void {
    if (this.ws.total() < this.bestTotal) this.ws.setPermutation(this.best);
  }
}

/** Scores by quad rank: a dense table while it stays small (≤ 8 M entries), a bounded map above. */
class QuadCache {
  private readonly dense: Float64Array | null;
  private readonly sparse = new Map<number, number>();

  constructor(cols: number) {
    const n = choose(cols, 4);
    this.dense = n <= 8_000_000 ? new Float64Array(n).fill(-1) : null;
  }

  get(key: number): number {
    if (this.dense) return this.dense[key]!;
    return this.sparse.get(key) ?? -1;
  }

  set(key: number, value: number): void {
    if (this.dense) {
      this.dense[key] = value;
      return;
    }
    if (this.sparse.size >= 4_000_000) this.sparse.clear();
    this.sparse.set(key, value);
  }
}

export class Workspace {
  readonly rows: number;
  readonly cols: number;
  readonly abs: Float64Array;
  readonly perm: Int32Array;
  private readonly scratch: Float64Array;
  private readonly cache: QuadCache;

  constructor(matrix: ArrayLike<number>, rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    this.abs = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) this.abs[c * rows + r] = Math.abs(matrix[r * cols + c]!);
    this.perm = new Int32Array(cols);
    for (let c = 0; c < cols; c++) this.perm[c] = c;
    this.scratch = new Float64Array(rows * 16);
    this.cache = new QuadCache(cols);
  }

  /**
   * Like `quadScore`, remembered by the four original columns: moving columns never changes the
   * score of a set of four, and after a stripe group is rearranged most of the sets it is made of
   * have been scored before.
   */
  cachedQuadScore(a: number, b: number, c: number, d: number): number {
    const p = this.perm;
    const key = quadKey(p[a]!, p[b]!, p[c]!, p[d]!);
    const hit = this.cache.get(key);
    if (hit >= 0) return hit;
    const s = this.quadScore(a, b, c, d);
    this.cache.set(key, s);
    return s;
  }

  /** Σ over rows of the two largest of the four columns at positions a, b, c, d. */
  quadScore(a: number, b: number, c: number, d: number): number {
    const x = this.abs;
    const R = this.rows;
    let oa = a * R;
    let ob = b * R;
    let oc = c * R;
    let od = d * R;
    let s = 0;
    for (let r = 0; r < R; r++) s += top2(x[oa++]!, x[ob++]!, x[oc++]!, x[od++]!);
    return s;
  }

  /** Kept magnitude of the stripe (4 aligned columns) starting at column 4·stripe. */
  stripeScore(stripe: number): number {
    const c = stripe * 4;
    return this.quadScore(c, c + 1, c + 2, c + 3);
  }

  swapColumns(i: number, j: number): void {
    const R = this.rows;
    const x = this.abs;
    const s = this.scratch;
    s.set(x.subarray(i * R, i * R + R));
    x.copyWithin(i * R, j * R, j * R + R);
    x.set(s.subarray(0, R), j * R);
    const t = this.perm[i]!;
    this.perm[i] = this.perm[j]!;
    this.perm[j] = t;
  }

  /**
   * Rearranges the columns of `stripes` (stripe indices, in order) by a local permutation `local`
   * of their 4·k columns: local position l receives what was at local position local[l].
   */
  applyLocal(stripes: ArrayLike<number>, local: ArrayLike<number>): void {
    const R = this.rows;
    const w = local.length;
    const pos = (l: number): number => stripes[l >> 2]! * 4 + (l & 3);
    const s = w * R <= this.scratch.length ? this.scratch : new Float64Array(w * R);
    const oldPerm = new Int32Array(w);
    for (let l = 0; l < w; l++) {
      const p = pos(l);
      s.set(this.abs.subarray(p * R, p * R + R), l * R);
      oldPerm[l] = this.perm[p]!;
    }
    for (let l = 0; l < w; l++) {
      const p = pos(l);
      const src = local[l]!;
      this.abs.set(s.subarray(src * R, src * R + R), p * R);
      this.perm[p] = oldPerm[src]!;
    }
  }

  /** Rearranges the columns so that `perm` becomes `target` (original column at each position). */
  setPermutation(target: ArrayLike<number>): void {
    const R = this.rows;
    const where = new Int32Array(this.cols);
    for (let j = 0; j < this.cols; j++) where[this.perm[j]!] = j;
    const old = this.abs.slice();
    for (let j = 0; j < this.cols; j++) {
      const from = where[target[j]!]!;
      this.abs.set(old.subarray(from * R, from * R + R), j * R);
      this.perm[j] = target[j]!;
    }
  }

  /** The columns now at positions from..to-1 as a workspace of their own (its column j is position from + j). */
  subWorkspace(from: number, to: number): Workspace {
    const R = this.rows;
    const w = to - from;
    const m = new Float64Array(R * w);
    for (let c = 0; c < w; c++) for (let r = 0; r < R; r++) m[r * w + c] = this.abs[(from + c) * R + r]!;
    return new Workspace(m, R, w);
  }

  /** Kept magnitude of the whole current matrix, summed stripe by stripe. */
  total(): number {
    let t = 0;
    for (let s = 0; s < this.cols / 4; s++) t += this.cachedQuadScore(4 * s, 4 * s + 1, 4 * s + 2, 4 * s + 3);
    return t;
  }
}
