/**
 * The `.npy` header is a Python dict literal, e.g. `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (3, 4), }`. This reads only the small subset numpy writes (strings, True/False,
 * tuples of integers) instead of evaluating anything, and formats headers exactly as
 * `numpy.lib.format` does so our files are byte-identical to `np.save`'s.
 */

import { clip } from './clip.js';

export type PyValue = string | boolean | number | PyValue[];

export class PyLiteralError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** numpy writes flat tuples; a header nested deeper than this is not one of its files. */
const MAX_DEPTH = 64;

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  fail(what: string): never {
    throw new PyLiteralError(what, this.i);
  }

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }

  eat(ch: string): boolean {
    this.ws();
    if (this.s[this.i] !== ch) return false;
    this.i++;
    return true;
  }

  string(): string {
    const q = this.s[this.i]!;
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) this.fail('unterminated string');
    const body = this.s.slice(this.i + 1, end);
    // numpy never writes escapes in the keys or dtype strings we accept.
    if (body.includes('\\') || body.includes('\n')) this.fail('escapes are not supported in header strings');
    this.i = end + 1;
    return body;
  }

  value(depth = 0): PyValue {
    // Recursion depth is bounded as in the JSON parser: a deep tuple must not overflow the stack.
    if (depth > MAX_DEPTH) this.fail(`tuples nested deeper than ${MAX_DEPTH}`);
    this.ws();
    const c = this.s[this.i];
    if (c === "'" || c === '"') return this.string();
    if (c === '(') return this.tuple(depth);
    const m = /^(True|False|[0-9]+)/.exec(this.s.slice(this.i, this.i + 32));
    if (m === null) this.fail('expected a string, True, False, an integer or a tuple');
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) this.fail(`integer ${m[0]} is too large`);
    return n;
  }

  tuple(depth: number): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    let sawComma = false;
    while (!this.eat(')')) {
      if (out.length > 0 && !sawComma) this.fail("expected ',' or ')' in tuple");
      out.push(this.value(depth + 1));
      sawComma = this.eat(',');
    }
    // `(3)` is just 3 in Python; a one-element tuple needs its trailing comma.
    if (out.length === 1 && !sawComma) this.fail('a one-element tuple needs a trailing comma');
    return out;
  }

  dict(): Map<string, PyValue> {
    this.ws();
    if (!this.eat('{')) this.fail("header must start with '{'");
    const out = new Map<string, PyValue>();
    let sawComma = true;
    while (!this.eat('}')) {
      if (!sawComma) this.fail("expected ',' or '}' in dict");
      this.ws();
      const at = this.i;
      const c = this.s[this.i];
      if (c !== "'" && c !== '"') this.fail('dict keys must be strings');
      const key = this.string();
      if (out.has(key)) {
        this.i = at;
        this.fail(`duplicate key '${clip(key)}'`);
      }
      if (!this.eat(':')) this.fail("expected ':' after a dict key");
      out.set(key, this.value());
      sawComma = this.eat(',');
    }
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected text after the dict');
    return out;
  }
}

export function parsePyDict(text: string): Map<string, PyValue> {
  return new Reader(text).dict();
}

/** Python's repr of a shape tuple: `()`, `(3,)`, `(3, 4)`. */
export function reprShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** numpy leaves room for the first axis to grow to this many digits without rewriting the file. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const ARRAY_ALIGN = 64;
const MAGIC = [0x93, ...'NUMPY'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0)));

/** A complete header (magic, version, length, dict, padding, newline) as `np.save` writes it. */
export function formatNpyHeader(descr: string, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${reprShape(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Version 1 stores the length in 2 bytes; version 2 in 4 (numpy picks the oldest that fits).
  for (const [major, lenBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const prefix = 6 + 2 + lenBytes;
    const body = dict.length + 1;
    const pad = ARRAY_ALIGN - ((prefix + body) % ARRAY_ALIGN);
    const total = body + pad;
    if (lenBytes === 2 && total > 0xffff) continue;
    const out = new Uint8Array(prefix + total);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (lenBytes === 2) view.setUint16(8, total, true);
    else view.setUint32(8, total, true);
    for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
    out.fill(0x20, prefix + dict.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new RangeError('npy header longer than 4 GiB');
}
