/**
 * The dense matrix a compressed record stands for, visited a tile at a time, so `check` never
 * has to hold it whole. A sparse-24-bitmask record stores one bit per element plus the kept
 * values: a 12.5 MB bitmask can claim a [1, 1e8] matrix (400 MB as float32, more in the mask
 * computations). Decoding tile by tile bounds check's memory by what the file holds plus one
 * tile, whatever the claimed shape.
 */

/**
 * Visits one tile: `tile` holds rows [r0, r0 + nr) × columns [c0, c0 + nc), row-major. It is
 * reused: copy what you keep.
 */
export type TileVisitor = (tile: Float32Array, r0: number, nr: number, c0: number, nc: number) => void;

export interface NonFinite {
  /** Flat (row-major) index in the dense matrix. */
  readonly index: number;
  readonly value: number;
}

export interface DenseSource {
  readonly rows: number;
  readonly cols: number;
  /** Tiles of `tileRows` × `tileCols` (smaller at the bottom and right edges), rows outer, left to right. */
  forEachTile(tileRows: number, tileCols: number, visit: TileVisitor): void;
  /** The first NaN or infinity in flat order, or null. */
  readonly firstNonFinite: NonFinite | null;
}

function firstNonFiniteIn(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** A matrix already held densely (cutlass-24 records decompress whole: their values are half the matrix). */
export function denseSource(values: Float32Array, rows: number, cols: number): DenseSource {
  const bad = firstNonFiniteIn(values);
  return {
    rows,
    cols,
    firstNonFinite: bad < 0 ? null : { index: bad, value: values[bad]! },
    forEachTile(tileRows, tileCols, visit) {
      if (rows === 0 || cols === 0) return;
      const buffer = tileCols >= cols ? null : new Float32Array(tileRows * tileCols);
      for (let r0 = 0; r0 < rows; r0 += tileRows) {
        const nr = Math.min(tileRows, rows - r0);
        if (buffer === null) {
          visit(values.subarray(r0 * cols, (r0 + nr) * cols), r0, nr, 0, cols);
          continue;
        }
        for (let c0 = 0; c0 < cols; c0 += tileCols) {
          const nc = Math.min(tileCols, cols - c0);
          const tile = buffer.subarray(0, nr * nc);
          for (let i = 0; i < nr; i++)
            tile.set(values.subarray((r0 + i) * cols + c0, (r0 + i) * cols + c0 + nc), i * nc);
          visit(tile, r0, nr, c0, nc);
        }
      }
    },
  };
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x !== 0; x >>= 1) n += x & 1;
  return n;
});

/** Set bits in `bytes`. */
export function popcount(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += POPCOUNT[bytes[i]!]!;
  return n;
}

/**
 * A bitmask record's matrix: bit c of row r (LSB first, `bytesPerRow` bytes per row) marks a kept
 * element, whose value is the next of `values` in row-major order. The caller has checked that
 * no padding bit is set and that `values` holds exactly one value per set bit.
 */
export function bitmaskSource(
  mask: Uint8Array,
  bytesPerRow: number,
  values: Float32Array,
  rows: number,
  cols: number,
): DenseSource {
  const rowBits = (r: number): number => popcount(mask.subarray(r * bytesPerRow, (r + 1) * bytesPerRow));
  const bad = firstNonFiniteIn(values);
  let firstNonFinite: NonFinite | null = null;
  if (bad >= 0) {
    // The flat index of the bad value: walk the set bits to the bad-th one.
    for (let r = 0, seen = 0; r < rows && firstNonFinite === null; r++) {
      const inRow = rowBits(r);
      if (seen + inRow <= bad) {
        seen += inRow;
        continue;
      }
      for (let c = 0; c < cols; c++) {
        if (((mask[r * bytesPerRow + (c >> 3)]! >> (c & 7)) & 1) === 0) continue;
        if (seen++ === bad) {
          firstNonFinite = { index: r * cols + c, value: values[bad]! };
          break;
        }
      }
    }
  }
  return {
    rows,
    cols,
    firstNonFinite,
    forEachTile(tileRows, tileCols, visit) {
      if (rows === 0 || cols === 0) return;
      const width = Math.min(tileCols, cols);
      const buffer = new Float32Array(tileRows * width);
      // cursor[i]: index in `values` of the next kept element of row r0 + i.
      const cursor = new Array<number>(tileRows).fill(0);
      let rowStart = 0;
      for (let r0 = 0; r0 < rows; r0 += tileRows) {
        const nr = Math.min(tileRows, rows - r0);
        for (let i = 0; i < nr; i++) cursor[i] = i === 0 ? rowStart : cursor[i - 1]! + rowBits(r0 + i - 1);
        rowStart = cursor[nr - 1]! + rowBits(r0 + nr - 1);
        for (let c0 = 0; c0 < cols; c0 += width) {
          const nc = Math.min(width, cols - c0);
          const tile = buffer.subarray(0, nr * nc);
          tile.fill(0);
          for (let i = 0; i < nr; i++) {
            const base = (r0 + i) * bytesPerRow;
            let next = cursor[i]!;
            for (let c = c0; c < c0 + nc; c++) {
              if (((mask[base + (c >> 3)]! >> (c & 7)) & 1) !== 0) tile[i * nc + c - c0] = values[next++]!;
            }
            cursor[i] = next;
          }
          visit(tile, r0, nr, c0, nc);
        }
      }
    },
  };
}

/** The whole matrix in one array (tests and small records; check itself works tile by tile). */
export function denseOf(src: DenseSource): Float32Array {
  const out = new Float32Array(src.rows * src.cols);
  src.forEachTile(4, src.cols, (tile, r0) => out.set(tile, r0 * src.cols));
  return out;
}
