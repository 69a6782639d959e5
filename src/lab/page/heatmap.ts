/// <reference lib="dom" />
/**
 * Heatmaps of a [rows][cols] matrix on a canvas: a diverging colour per value (blue negative, red
 * positive, white zero), pruned cells dark, and groups that break TensorRT's 2:4 rule outlined. Large
 * matrices are cropped to their top-left corner (the caption says so): one cell must stay visible.
 */

export interface HeatmapOptions {
  /** 0/1 per cell, row-major like the matrix: 0 is drawn as pruned. */
  readonly mask?: Uint8Array;
  /** Row-major group indices (row * cols/4 + group) to outline. */
  readonly violations?: readonly number[];
  /** Drawn column j shows matrix column order[j] (a permutation); default the identity. */
  readonly order?: ArrayLike<number>;
  /** Per drawn column, its x position in cells (for animating columns as they move). */
  readonly xOf?: (j: number) => number;
}

const MAX_ROWS = 96;
const MAX_COLS = 192;

export interface Crop {
  readonly rows: number;
  readonly cols: number;
  readonly cell: number;
}

export function cropOf(rows: number, cols: number): Crop {
  const r = Math.min(rows, MAX_ROWS);
  const c = Math.min(cols, MAX_COLS);
  return { rows: r, cols: c, cell: Math.max(3, Math.min(10, Math.floor(640 / c))) };
}

function colour(v: number, scale: number): string {
  const t = Math.max(-1, Math.min(1, v / scale));
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`;
}

/** Draws the matrix (its crop) into `canvas`, resizing it. */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  data: Float32Array,
  rows: number,
  cols: number,
  o: HeatmapOptions = {},
): void {
  const crop = cropOf(rows, cols);
  const { cell } = crop;
  canvas.width = crop.cols * cell;
  canvas.height = crop.rows * cell;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let scale = 0;
  for (const v of data) scale = Math.max(scale, Math.abs(v));
  scale = scale === 0 ? 1 : scale;
  for (let j = 0; j < crop.cols; j++) {
    const c = o.order === undefined ? j : o.order[j]!;
    const x = (o.xOf === undefined ? j : o.xOf(j)) * cell;
    for (let r = 0; r < crop.rows; r++) {
      const kept = o.mask === undefined || o.mask[r * cols + j] !== 0;
      ctx.fillStyle = kept ? colour(data[r * cols + c]!, scale) : '#333';
      ctx.fillRect(x, r * cell, cell, cell);
    }
  }
  ctx.lineWidth = Math.max(1, cell / 4);
  ctx.strokeStyle = '#f0a000';
  const groupsPerRow = cols / 4;
  for (const g of o.violations ?? []) {
    const r = Math.floor(g / groupsPerRow);
    const c0 = (g % groupsPerRow) * 4;
    if (r < crop.rows && c0 < crop.cols) ctx.strokeRect(c0 * cell, r * cell, 4 * cell, cell);
  }
}

/** A caption for a heatmap of rows × cols: the shape and, if cropped, what is shown. */
export function heatmapCaption(rows: number, cols: number): string {
  const c = cropOf(rows, cols);
  return c.rows === rows && c.cols === cols
    ? `${rows} × ${cols}`
    : `${rows} × ${cols} (showing the top-left ${c.rows} × ${c.cols})`;
}

/** How many distinct colours the canvas holds (a check that something was drawn). */
export function distinctColours(canvas: HTMLCanvasElement): number {
  const ctx = canvas.getContext('2d');
  if (ctx === null || canvas.width === 0) return 0;
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set<number>();
  for (let i = 0; i < px.length && seen.size < 1000; i += 4) seen.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
  return seen.size;
}
