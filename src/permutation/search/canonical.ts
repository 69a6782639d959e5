/**
 * Canonical permutations (docs/apex-asp.md §3.11a). Under 2:4 only the partition of columns into groups
 * of four matters, not the order inside a group nor the order of the groups, so each partition is
 * tried once, in canonical form: groups sorted ascending, groups ordered by their first element
 * (so column 0 leads). Enumerated in lexicographic order, which is the order apex's recursion
 * produces; index 0 is the identity, and "first strict maximum wins" then picks the same one.
 */
import { ValueError } from '../../tensor/errors.js';

/** c! / (4!^(c/4) · (c/4)!): how many ways to split c columns into unordered groups of four. */
export function countCanonical(width: number): number {
  checkWidth(width);
  let count = 1;
  // Choose the partners of the smallest remaining column, group by group: C(n-1, 3) each time.
  for (let n = width; n > 0; n -= 4) count *= ((n - 1) * (n - 2) * (n - 3)) / 6;
  return count;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 4 || width % 4 !== 0) {
    throw new ValueError(`canonical permutations: width must be a positive multiple of 4, got ${width}`);
  }
}

/** All canonical permutations of `width` columns, flattened (count × width), lexicographic order. */
export function canonicalPermutations(width: number): Uint8Array {
  checkWidth(width);
  if (width > 20)
    throw new ValueError(
      `canonical permutations: width ${width} has ${countCanonical(width)} permutations; at most 20 columns are supported`,
    );
  const count = countCanonical(width);
  const out = new Uint8Array(count * width);
  const built = new Uint8Array(width);
  const used = new Uint8Array(width);
  let k = 0;
  const place = (pos: number): void => {
    if (pos === width) {
      out.set(built, k * width);
      k++;
      return;
    }
    if (pos % 4 === 0) {
      // A new group must start with the smallest unused column, or the groups would be out of order.
      let c = 0;
      while (used[c] === 1) c++;
      used[c] = 1;
      built[pos] = c;
      place(pos + 1);
      used[c] = 0;
      return;
    }
    for (let c = built[pos - 1]! + 1; c < width; c++) {
      if (used[c] === 1) continue;
      used[c] = 1;
      built[pos] = c;
      place(pos + 1);
      used[c] = 0;
    }
  };
  place(0);
  return out;
}

/**
 * The 4-column subsets ("quads") of `width` local columns in lexicographic order, flattened
 * (count × 4), and a table from a quad's bitmask to its index.
 */
export interface QuadIndex {
  readonly width: number;
  readonly quads: Uint8Array;
  readonly count: number;
  readonly byMask: Int32Array;
}

export function quadIndex(width: number): QuadIndex {
  const list: number[] = [];
  const byMask = new Int32Array(1 << width).fill(-1);
  for (let a = 0; a < width; a++)
    for (let b = a + 1; b < width; b++)
      for (let c = b + 1; c < width; c++)
        for (let d = c + 1; d < width; d++) {
          byMask[(1 << a) | (1 << b) | (1 << c) | (1 << d)] = list.length / 4;
          list.push(a, b, c, d);
        }
  return { width, quads: Uint8Array.from(list), count: list.length / 4, byMask };
}

/**
 * Canonical permutations restated as the quads they make: permutation p keeps, per row, the sum
 * over its width/4 groups, so its score is Σ quadScore[groups[p·g + j]] once every quad is scored.
 */
export interface CanonicalTable {
  readonly width: number;
  readonly count: number;
  readonly permutations: Uint8Array;
  /** count × (width/4) quad indices. */
  readonly groups: Uint16Array | Uint32Array;
  readonly quads: QuadIndex;
}

const tables = new Map<number, CanonicalTable>();

/** The canonical table for `width` columns, built once per process (16 columns: 2.6 M rows). */
export function canonicalTable(width: number): CanonicalTable {
  const cached = tables.get(width);
  if (cached) return cached;
  const permutations = canonicalPermutations(width);
  const quads = quadIndex(width);
  const count = permutations.length / width;
  const g = width / 4;
  const groups = quads.count <= 0xffff ? new Uint16Array(count * g) : new Uint32Array(count * g);
  for (let p = 0; p < count; p++) {
    for (let j = 0; j < g; j++) {
      const o = p * width + j * 4;
      const mask =
        (1 << permutations[o]!) |
        (1 << permutations[o + 1]!) |
        (1 << permutations[o + 2]!) |
        (1 << permutations[o + 3]!);
      groups[p * g + j] = quads.byMask[mask]!;
    }
  }
  const table: CanonicalTable = { width, count, permutations, groups, quads };
  tables.set(width, table);
  return table;
}
