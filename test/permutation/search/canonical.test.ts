import { describe, expect, it } from 'vitest';
import { canonicalPermutations, canonicalTable, countCanonical, quadIndex } from '../../../src/permutation/index.js';
import { ValueError } from '../../../src/tensor/errors.js';

function isCanonical(p: ArrayLike<number>): boolean {
  for (let g = 0; g < p.length; g += 4) {
    for (let c = 1; c < 4; c++) if (p[g + c]! <= p[g + c - 1]!) return false;
    if (g > 0 && p[g]! <= p[g - 4]!) return false;
  }
  return p[0] === 0;
}

describe('canonical permutations', () => {
  it('counts c!/(4!^(c/4)(c/4)!): 1, 35, 5,775, 2,627,625', () => {
    expect(countCanonical(4)).toBe(1);
    expect(countCanonical(8)).toBe(35);
    expect(countCanonical(12)).toBe(5775);
    expect(countCanonical(16)).toBe(2627625);
  });

  it.each([8, 12])(
    'generates %i-column ones: the predicted count, identity first, canonical, distinct, lexicographic',
    (w) => {
      const all = canonicalPermutations(w);
      const n = all.length / w;
      expect(n).toBe(countCanonical(w));
      expect(Array.from(all.subarray(0, w))).toEqual(Array.from({ length: w }, (_, i) => i));
      const keys = new Set<string>();
      let prev = '';
      for (let p = 0; p < n; p++) {
        const perm = all.subarray(p * w, p * w + w);
        expect(isCanonical(perm)).toBe(true);
        expect(new Set(perm).size).toBe(w);
        const key = Array.from(perm, (v) => v.toString(16)).join('');
        if (p > 0) expect(key > prev).toBe(true);
        prev = key;
        keys.add(key);
      }
      expect(keys.size).toBe(n);
    },
  );

  it('8 columns: the second permutation is [0,1,2,4 | 3,5,6,7]', () => {
    expect(Array.from(canonicalPermutations(8).subarray(8, 16))).toEqual([0, 1, 2, 4, 3, 5, 6, 7]);
  });

  it('quads of 12 columns: C(12,4) = 495, mask lookup round-trips; table groups point at them', () => {
    const q = quadIndex(12);
    expect(q.count).toBe(495);
    for (let i = 0; i < q.count; i++) {
      const m =
        (1 << q.quads[4 * i]!) | (1 << q.quads[4 * i + 1]!) | (1 << q.quads[4 * i + 2]!) | (1 << q.quads[4 * i + 3]!);
      expect(q.byMask[m]).toBe(i);
    }
    const t = canonicalTable(12);
    const p = 1234;
    const perm = Array.from(t.permutations.subarray(p * 12, p * 12 + 12));
    for (let j = 0; j < 3; j++)
      expect(Array.from(q.quads.subarray(4 * t.groups[3 * p + j]!, 4 * t.groups[3 * p + j]! + 4))).toEqual(
        perm.slice(4 * j, 4 * j + 4),
      );
  });

  it('rejects widths that are not multiples of 4', () => {
    expect(() => countCanonical(6)).toThrow(ValueError);
    expect(() => canonicalPermutations(10)).toThrow(/multiple of 4, got 10/);
  });
});
