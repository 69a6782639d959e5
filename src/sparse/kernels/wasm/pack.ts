/**
 * Compressed weights in the wasm kernels' layouts, built once per compressed matrix and kept in the
 * runtime's weight cache (a `CompressedNM` is immutable, so the object is its own key):
 *
 * - rows of entries — every kept value as (float32 value, uint32 offset), the offset being the
 *   value's input index times the byte stride of the dense operand (64 inside a panel, 4 in a plain
 *   vector) — and per row and K block the index of its first entry (spmmPanels, spmvRows);
 * - row pairs for 2:4 at batch 1 — per pair and group of four inputs, the pair's four values and the
 *   address of the swizzle mask for the two rows' patterns (spmv24Pairs).
 */
import type { Packed, WasmRuntime } from '../../../tensor/kernels/wasm/index.js';
import { PAIRS_OF_FOUR, SWIZZLE_TABLE } from '../../../tensor/kernels/wasm/index.js';
import type { CompressedNM } from '../../compressed.js';
import { decodedColumns } from '../columns.js';
import { perRow } from '../geometry.js';

/** Inputs per K block of spmmPanels: 512 rows of a panel (32 KiB) stay in L1 across output rows. */
export const PANEL_KC = 512;

/**
 * One output row's kept entries: `count` of them, entry t at input `index(t)` with value `value(t)`,
 * in ascending index order.
 */
export interface RowSource {
  rows: number;
  count: number;
  index(row: number, t: number): number;
  value(row: number, t: number): number;
}

/** Entries (scaled offsets) and per-row, per-block starts; meta: nkb, startsOffset (bytes from ptr). */
export function packEntries(rt: WasmRuntime, src: RowSource, inputs: number, scale: number, kc: number): Packed {
  const { rows, count } = src;
  const nkb = Math.max(1, Math.ceil(inputs / kc));
  const entryBytes = rows * count * 8;
  const startsOffset = Math.ceil(entryBytes / 64) * 64;
  const bytes = startsOffset + rows * (nkb + 1) * 4;
  const ptr = rt.heap.alloc(bytes);
  const f = rt.heap.f32(ptr, rows * count * 2);
  const u = rt.heap.u32(ptr, rows * count * 2);
  const starts = rt.heap.u32(ptr + startsOffset, rows * (nkb + 1));
  let e = 0;
  for (let r = 0; r < rows; r++) {
    let block = 0;
    starts[r * (nkb + 1)] = e;
    for (let t = 0; t < count; t++) {
      const idx = src.index(r, t);
      while (idx >= (block + 1) * kc) starts[r * (nkb + 1) + ++block] = e;
      f[2 * e] = src.value(r, t);
      u[2 * e + 1] = idx * scale;
      e++;
    }
    while (block < nkb) starts[r * (nkb + 1) + ++block] = e;
  }
  return { ptr, bytes, meta: { nkb, startsOffset } };
}

/** The rows of a compressed matrix as they are: row o, entry t at its decoded column. */
export function matrixRows(c: CompressedNM): RowSource {
  const h = perRow(c);
  const cols = decodedColumns(c);
  return { rows: c.rows, count: h, index: (r, t) => cols[r * h + t]!, value: (r, t) => c.values[r * h + t]! };
}

/**
 * A compressed Conv weight as one row per output channel over the im2col rows c·P + p (input
 * channel c of the group, kernel position p), in ascending order. View row of (k, p): k·P + p for
 * Conv1d weights, p·K + k for Conv2d/3d (src/sparse/kernels/geometry.ts).
 */
export function convRows(c: CompressedNM, positions: number, conv1d: boolean): RowSource {
  const h = perRow(c);
  const cols = decodedColumns(c);
  const K = c.rows / positions;
  const count = positions * h;
  // Per output channel, the view entries (p, t) sorted by c·P + p.
  const order = new Int32Array(K * count);
  const keyOf = new Int32Array(K * count);
  for (let k = 0; k < K; k++) {
    const items: number[] = [];
    for (let p = 0; p < positions; p++) {
      const row = conv1d ? k * positions + p : p * K + k;
      for (let t = 0; t < h; t++) items.push(row * h + t);
    }
    const key = (i: number): number =>
      cols[i]! * positions + (conv1d ? Math.floor(i / h) % positions : Math.floor(Math.floor(i / h) / K));
    items.sort((a, b) => key(a) - key(b));
    items.forEach((i, j) => {
      order[k * count + j] = i;
      keyOf[k * count + j] = key(i);
    });
  }
  return { rows: K, count, index: (r, t) => keyOf[r * count + t]!, value: (r, t) => c.values[order[r * count + t]!]! };
}

/** 2:4 row pairs: meta: patsOffset (bytes from ptr), where the u16 swizzle-mask addresses start. */
export function packPairs24(rt: WasmRuntime, c: CompressedNM): Packed {
  const groups = c.cols / 4;
  const pairs = Math.ceil(c.rows / 2);
  const valBytes = pairs * groups * 16;
  const bytes = valBytes + pairs * groups * 2;
  const ptr = rt.heap.alloc(bytes);
  const vals = rt.heap.f32(ptr, pairs * groups * 4);
  const code = new Map(PAIRS_OF_FOUR.map(([a, b], i) => [a * 4 + b, i]));
  // Pattern numbers first (6·a + b), turned into mask addresses at the end.
  const pats = new Uint16Array(pairs * groups);
  vals.fill(0);
  for (let r = 0; r < c.rows; r++) {
    const q = r >> 1;
    const second = r & 1;
    for (let g = 0; g < groups; g++) {
      const t = (r * groups + g) * 2;
      const at = (q * groups + g) * 4 + second * 2;
      vals[at] = c.values[t]!;
      vals[at + 1] = c.values[t + 1]!;
      const pattern = code.get(c.indices[t]! * 4 + c.indices[t + 1]!)!;
      pats[q * groups + g]! += second === 0 ? 6 * pattern : pattern;
    }
  }
  rt.heap.u16(ptr + valBytes, pats.length).set(pats.map((pattern) => SWIZZLE_TABLE + 16 * pattern));
  return { ptr, bytes, meta: { patsOffset: valBytes } };
}
