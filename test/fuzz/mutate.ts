/** Byte-level mutations of valid files: flips, truncations, insertions, and overwritten runs. */
import fc from 'fast-check';

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array };

const at = fc.nat({ max: 1 << 20 });
const bytes = fc.uint8Array({ minLength: 1, maxLength: 12 });

export const arbMutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    {
      arbitrary: fc.record({ kind: fc.constant('flip' as const), at, value: fc.integer({ min: 0, max: 255 }) }),
      weight: 4,
    },
    { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at, bytes }), weight: 2 },
  ),
  { minLength: 1, maxLength: 4 },
);

/**
 * Applies `muts` to a copy of `src`. Three of four mutations land in the first `focus` bytes
 * (the header, where parsers branch most); the rest anywhere.
 */
export function mutate(src: Uint8Array, muts: readonly Mutation[], focus: number): Uint8Array {
  let b = src.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    const span = m.at % 4 === 0 ? b.length : Math.max(1, Math.min(b.length, focus));
    const i = Math.floor(m.at / 4) % span;
    switch (m.kind) {
      case 'flip':
        b[i] = m.value;
        break;
      case 'truncate':
        b = b.slice(0, i);
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, i));
        out.set(m.bytes, i);
        out.set(b.subarray(i), i + m.bytes.length);
        b = out;
        break;
      }
      case 'overwrite':
        b.set(m.bytes.subarray(0, Math.max(0, b.length - i)), i);
        break;
    }
  }
  return b;
}

/** Characters that keep a JSON or Python-literal header plausible while changing its meaning. */
export const arbHeaderChar = fc.constantFrom(
  '0',
  '1',
  '9',
  '-',
  '.',
  '"',
  "'",
  ',',
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  ':',
  'e',
  ' ',
  'F',
  'T',
);
