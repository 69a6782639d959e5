/// <reference lib="dom" />
/** Tiny DOM helpers for the lab page: elements, tables, and numbers formatted for people. */

type Child = Node | string;

/** An element with attributes (class, id, title ...) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** The element with this id; a missing one is a bug in index.html. */
export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`lab page: no element #${id} in index.html`);
  return e;
}

/** A table: cells that are numbers are right-aligned; a cell may be given a class with [text, class]. */
export function table(head: string[], rows: (string | number | [string, string])[][]): HTMLTableElement {
  const cell = (c: string | number | [string, string]): HTMLTableCellElement => {
    if (Array.isArray(c)) return el('td', { class: c[1] }, c[0]);
    return typeof c === 'number' ? el('td', { class: 'num' }, fmt(c)) : el('td', {}, c);
  };
  return el(
    'table',
    {},
    el('tr', {}, ...head.map((h) => el('th', {}, h))),
    ...rows.map((r) => el('tr', {}, ...r.map(cell))),
  );
}

/** A number in 4 significant digits, small ones in exponent form. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

export function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

/**
 * Calls `f` once, at the next animation frame or after `ms` milliseconds, whichever comes first:
 * animation frames pause in a hidden tab and can lag for seconds in a headless one, and the page
 * must not stop there.
 */
export function onFrame(f: (now: number) => void, ms = 50): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    f(performance.now());
  };
  requestAnimationFrame(once);
  setTimeout(once, ms);
}

/** Lets the browser paint before the next long step (waiting at most 100 ms for a frame). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => onFrame(() => setTimeout(resolve, 0), 100));
}
