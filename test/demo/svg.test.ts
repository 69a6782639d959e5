import { describe, expect, it } from 'vitest';
import { MARGIN, barChart, escapeXml, linearScale, lineChart, tickLabel } from '../../src/demo/svg.js';
import { ValueError } from '../../src/tensor/index.js';

// A 200 × 144 chart: plot area x 56..184, y 100 (bottom) .. 28 (top).
const frame = { width: 200, height: 144 };

describe('linearScale', () => {
  it('maps the domain ends to the range ends, and flips for a y axis', () => {
    const x = linearScale(0, 10, 56, 184);
    expect([x(0), x(5), x(10)]).toEqual([56, 120, 184]);
    const y = linearScale(0, 1, 100, 28);
    expect([y(0), y(0.5), y(1)]).toEqual([100, 64, 28]);
  });

  it('maps a zero-width domain to the middle of the range', () => {
    expect(linearScale(3, 3, 0, 100)(3)).toBe(50);
  });
});

describe('lineChart', () => {
  it('places the points of a known series at exact coordinates', () => {
    const svg = lineChart(
      [
        {
          name: 'acc',
          points: [
            [1, 0],
            [2, 0.5],
            [3, 1],
          ],
        },
      ],
      frame,
    );
    expect(MARGIN).toEqual({ left: 56, right: 16, top: 28, bottom: 44 });
    expect(svg).toContain('<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="56,100 120,64 184,28"/>');
    expect(svg).toContain('<circle cx="120" cy="64" r="3" fill="#1f77b4"/>');
    // x ticks at the data's x values, y ticks at five even steps of the range.
    expect(svg).toContain('<text x="120" y="114" text-anchor="middle">2</text>');
    expect(svg).toContain('<text x="52" y="50" text-anchor="end">0.75</text>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="144"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('honours a fixed y range and skips non-finite values in the line', () => {
    const svg = lineChart(
      [
        {
          name: 'a',
          points: [
            [0, 50],
            [1, Number.NaN],
            [2, 100],
          ],
        },
        { name: 'b', points: [[0, 0]], color: 'red' },
      ],
      { ...frame, yMin: 0, yMax: 100 },
    );
    expect(svg).toContain('points="56,64 184,28"');
    expect(svg).toContain('<circle cx="56" cy="100" r="3" fill="red"/>');
  });

  it('escapes text', () => {
    const svg = lineChart([{ name: 'a<b & "c"', points: [[0, 1]] }], { ...frame, title: '<x>' });
    expect(svg).toContain('>a&lt;b &amp; &quot;c&quot;</text>');
    expect(svg).toContain('>&lt;x&gt;</text>');
    expect(svg).not.toContain('<x>');
  });

  it('refuses a canvas smaller than its margins', () => {
    expect(() => lineChart([], { width: 60, height: 100 })).toThrow(ValueError);
  });
});

describe('barChart', () => {
  it('draws grouped bars from zero at exact coordinates', () => {
    // Two groups of two bars, y 0..10: a slot is 64 px, a bar 25.6 px, starting 6.4 px into the slot.
    const svg = barChart(
      [
        { label: 'L1', values: [5, 10] },
        { label: 'L2', values: [2.5, 0] },
      ],
      ['no perm', 'perm'],
      frame,
    );
    expect(svg).toContain('<rect x="62.4" y="64" width="25.6" height="36" fill="#1f77b4"/>');
    expect(svg).toContain('<rect x="88" y="28" width="25.6" height="72" fill="#d62728"/>');
    expect(svg).toContain('<rect x="126.4" y="82" width="25.6" height="18" fill="#1f77b4"/>');
    expect(svg).toContain('<rect x="152" y="100" width="25.6" height="0" fill="#d62728"/>');
    expect(svg).toContain('<text x="88" y="114" text-anchor="middle">L1</text>');
    expect(svg).toContain('>perm</text>');
  });

  it('clips bars to a fixed y range that starts above zero', () => {
    const svg = barChart([{ label: 'a', values: [50, 100] }], ['x', 'y'], { ...frame, yMin: 60, yMax: 100 });
    // 50 is below the range: drawn with zero height at the bottom edge.
    expect(svg).toContain('<rect x="68.8" y="100" width="51.2" height="0"');
    expect(svg).toContain('<rect x="120" y="28" width="51.2" height="72"');
  });

  it('rejects a group with the wrong number of values', () => {
    expect(() => barChart([{ label: 'g', values: [1] }], ['a', 'b'])).toThrow(
      /group 'g' has 1 values, expected one per series \(2\)/,
    );
  });
});

describe('labels', () => {
  it('formats ticks and escapes XML', () => {
    expect(tickLabel(3)).toBe('3');
    expect(tickLabel(0.123456)).toBe('0.123');
    expect(tickLabel(97.25)).toBe('97.3');
    expect(escapeXml('a&b<c>"')).toBe('a&amp;b&lt;c&gt;&quot;');
  });
});
