/// <reference lib="dom" />
/**
 * Section 4: the bytes of one 2:4 block. The top-left 32 × 32 tile of the weight's view (zero-padded
 * if smaller: the smallest float16 tile the CUTLASS layout takes) is masked with m4n2_1d, compressed
 * (compress24: two values and two 2-bit positions per group of four) and exported (toCutlass). The
 * first row's first four groups share one 16-bit meta word, a nibble per group (i0 | i1 << 2);
 * CUTLASS stores that word at a reordered offset, which the page looks up and checks.
 */
import { compress24, createMask, cutlassMetaOffset, logicalMetaWords, metaNibble, toCutlass } from 'sparse24';
import { el, fmt, table } from './dom.js';
import type { LabWeight } from './weights.js';

const TILE = 32;

export interface BlockOutcome {
  readonly groupValues: number[];
  readonly indices: number[];
  readonly nibbles: number[];
  readonly metaWord: number;
  readonly metaOffset: number;
  /** The word CUTLASS stores at `metaOffset` equals the logical word. */
  readonly metaMatches: boolean;
}

function tileOf(w: LabWeight): Float32Array {
  const t = new Float32Array(TILE * TILE);
  for (let r = 0; r < Math.min(TILE, w.rows); r++)
    for (let c = 0; c < Math.min(TILE, w.cols); c++) t[r * TILE + c] = w.view[r * w.cols + c]!;
  return t;
}

const hex = (v: number, digits: number): string => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;
const bits = (v: number, n: number): string => (v >>> 0).toString(2).padStart(n, '0');

export function renderBlock(host: HTMLElement, w: LabWeight): BlockOutcome {
  const tile = tileOf(w);
  const mask = createMask(tile, [TILE, TILE], 'm4n2_1d');
  const c = compress24(tile, mask, TILE, TILE);
  const s = toCutlass(c, 'float16');
  const word = logicalMetaWords(c, 4)[0]!;
  const offset = cutlassMetaOffset(0, 0, TILE);
  const stored = s.meta[offset]! & 0xffff;
  const indices = Array.from(c.indices.subarray(0, 8));
  const nibbles = [0, 1, 2, 3].map((g) => metaNibble(indices[2 * g]!, indices[2 * g + 1]!));
  const groupValues = Array.from(tile.subarray(0, 4));
  const packed = s.packed as Uint16Array;
  host.replaceChildren(
    el('p', {}, 'Row 0, columns 0..3 of the weight (one group of four):'),
    table(
      ['position', '0', '1', '2', '3'],
      [
        ['weight', ...groupValues],
        ['mask (m4n2_1d)', ...Array.from(mask.subarray(0, 4), String)],
      ],
    ),
    table(
      ['stored', 'value 0', 'value 1'],
      [
        ['float32 value', c.values[0]!, c.values[1]!],
        ['float16 bits (CUTLASS packed)', hex(packed[0]!, 4), hex(packed[1]!, 4)],
        ['2-bit position', `${indices[0]} = 0b${bits(indices[0]!, 2)}`, `${indices[1]} = 0b${bits(indices[1]!, 2)}`],
      ],
    ),
    el(
      'p',
      {},
      'The meta word of row 0, columns 0..15 (four groups, one nibble i0 | i1 << 2 each, group 0 in the low bits): ',
      el('code', {}, `${hex(word, 4)} = ${bits(word, 16).replace(/(.{4})(?=.)/g, '$1 ')}`),
      ` — nibbles ${nibbles.map((n) => hex(n, 1)).join(', ')} for groups 0..3 (positions ${[0, 1, 2, 3]
        .map((g) => `${indices[2 * g]},${indices[2 * g + 1]}`)
        .join(' | ')}).`,
    ),
    el(
      'p',
      {},
      `CUTLASS reorders the meta words of each 32-row tile (interleaved column pairs); this word is stored at meta[${offset}] `,
      el('code', {}, hex(stored, 4)),
      stored === word ? ' — the same word, as it should be.' : ' — differs from the logical word (a bug).',
    ),
    el(
      'p',
      { class: 'note' },
      `The whole 32 × 32 tile: ${packed.length} float16 values (${2 * packed.length} bytes) + ${s.meta.length} meta ` +
        `words (${2 * s.meta.length} bytes) = ${fmt((2 * packed.length + 2 * s.meta.length) / (2 * TILE * TILE))} of ` +
        'the dense float16 size.',
    ),
  );
  return { groupValues, indices, nibbles, metaWord: word, metaOffset: offset, metaMatches: stored === word };
}
