/**
 * A tiny SVG chart writer (line and grouped-bar charts) for the demo report: no dependencies,
 * plain strings, coordinates rounded to 0.1 px so the output is stable and diffable.
 */
import { ValueError } from '../tensor/index.js';

export interface ChartFrame {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Fixed y range; default the data's range (bars: from 0). */
  yMin?: number;
  yMax?: number;
}

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  color?: string;
}

export interface BarGroup {
  label: string;
  /** One value per series, in `seriesNames` order. */
  values: readonly number[];
}

/** Space around the plot area, for the title, tick labels and axis labels. */
export const MARGIN = { left: 56, right: 16, top: 28, bottom: 44 } as const;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

/** Maps [d0, d1] linearly onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Short tick text: integers as is, others with up to 3 significant digits. */
export function tickLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

interface Box {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function box(f: ChartFrame): Box {
  const width = f.width ?? 480;
  const height = f.height ?? 300;
  if (!(width > MARGIN.left + MARGIN.right) || !(height > MARGIN.top + MARGIN.bottom)) {
    throw new ValueError(`svg chart: width × height must leave room for the margins, got ${width} × ${height}`);
  }
  return { width, height, x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top };
}

function yRange(values: readonly number[], f: ChartFrame, fromZero: boolean): [number, number] {
  const finite = values.filter(Number.isFinite);
  let lo = f.yMin ?? (finite.length === 0 ? 0 : Math.min(...finite));
  let hi = f.yMax ?? (finite.length === 0 ? 1 : Math.max(...finite));
  if (fromZero && f.yMin === undefined) lo = Math.min(0, lo);
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

function frame(
  b: Box,
  f: ChartFrame,
  y: (v: number) => number,
  lo: number,
  hi: number,
  legend: readonly string[],
): string[] {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${b.width}" height="${b.height}" viewBox="0 0 ${b.width} ${b.height}" font-family="sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${b.width}" height="${b.height}" fill="white"/>`,
  ];
  if (f.title !== undefined)
    parts.push(`<text x="${r1(b.width / 2)}" y="16" text-anchor="middle" font-size="13">${escapeXml(f.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${b.x0}" y1="${r1(y(v))}" x2="${b.x1}" y2="${r1(y(v))}" stroke="#ddd"/>`);
    parts.push(`<text x="${b.x0 - 4}" y="${r1(y(v) + 4)}" text-anchor="end">${escapeXml(tickLabel(v))}</text>`);
  }
  parts.push(`<line x1="${b.x0}" y1="${b.y0}" x2="${b.x1}" y2="${b.y0}" stroke="black"/>`);
  parts.push(`<line x1="${b.x0}" y1="${b.y0}" x2="${b.x0}" y2="${b.y1}" stroke="black"/>`);
  if (f.xLabel !== undefined)
    parts.push(
      `<text x="${r1((b.x0 + b.x1) / 2)}" y="${b.height - 6}" text-anchor="middle">${escapeXml(f.xLabel)}</text>`,
    );
  if (f.yLabel !== undefined) {
    parts.push(
      `<text x="12" y="${r1((b.y0 + b.y1) / 2)}" text-anchor="middle" transform="rotate(-90 12 ${r1((b.y0 + b.y1) / 2)})">${escapeXml(f.yLabel)}</text>`,
    );
  }
  legend.forEach((name, i) => {
    const ly = b.y1 + 4 + i * 14;
    parts.push(`<rect x="${b.x1 - 110}" y="${ly}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${b.x1 - 96}" y="${ly + 9}">${escapeXml(name)}</text>`);
  });
  return parts;
}

/** A line chart: one polyline (and a dot per point) per series over a shared linear x axis. */
export function lineChart(series: readonly LineSeries[], f: ChartFrame = {}): string {
  const b = box(f);
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const [lo, hi] = yRange(
    all.map((p) => p[1]),
    f,
    false,
  );
  const x = linearScale(xs.length === 0 ? 0 : Math.min(...xs), xs.length === 0 ? 1 : Math.max(...xs), b.x0, b.x1);
  const y = linearScale(lo, hi, b.y0, b.y1);
  const parts = frame(
    b,
    f,
    y,
    lo,
    hi,
    series.map((s) => s.name),
  );
  for (const v of [...new Set(xs)].sort((p, q) => p - q)) {
    parts.push(`<text x="${r1(x(v))}" y="${b.y0 + 14}" text-anchor="middle">${escapeXml(tickLabel(v))}</text>`);
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${r1(x(p[0]))},${r1(y(p[1]))}`).join(' ')}"/>`,
    );
    for (const p of pts) parts.push(`<circle cx="${r1(x(p[0]))}" cy="${r1(y(p[1]))}" r="3" fill="${color}"/>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A grouped bar chart: one group per label, one bar per series inside it, from y = max(lo, 0). */
export function barChart(groups: readonly BarGroup[], seriesNames: readonly string[], f: ChartFrame = {}): string {
  for (const g of groups) {
    if (g.values.length !== seriesNames.length) {
      throw new ValueError(
        `barChart: group '${g.label}' has ${g.values.length} values, expected one per series (${seriesNames.length})`,
      );
    }
  }
  const b = box(f);
  const [lo, hi] = yRange(
    groups.flatMap((g) => g.values),
    f,
    true,
  );
  const y = linearScale(lo, hi, b.y0, b.y1);
  const base = y(Math.max(lo, 0));
  const parts = frame(b, f, y, lo, hi, seriesNames);
  const slot = (b.x1 - b.x0) / Math.max(1, groups.length);
  // Bars fill 80% of a slot; the rest is the gap between groups.
  const bar = (slot * 0.8) / Math.max(1, seriesNames.length);
  groups.forEach((g, gi) => {
    const left = b.x0 + gi * slot + slot * 0.1;
    g.values.forEach((v, si) => {
      const top = y(Math.min(Math.max(v, lo), hi));
      parts.push(
        `<rect x="${r1(left + si * bar)}" y="${r1(Math.min(top, base))}" width="${r1(bar)}" height="${r1(Math.abs(base - top))}" fill="${PALETTE[si % PALETTE.length]}"/>`,
      );
    });
    parts.push(
      `<text x="${r1(b.x0 + (gi + 0.5) * slot)}" y="${b.y0 + 14}" text-anchor="middle">${escapeXml(g.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
