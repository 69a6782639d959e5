/**
 * A strict JSON parser for untrusted headers. Unlike `JSON.parse` it rejects duplicate keys,
 * returns objects as Maps (so `__proto__` is just a key), keeps numbers' source text (so an
 * offset written `1.0` or `1e3` can be refused where an integer is required), and bounds nesting
 * depth instead of overflowing the stack.
 */

import { quote } from './clip.js';

export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

/** Thrown with the character index where parsing stopped; callers wrap it in their own error. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** Well-formed so far, but past a `JsonLimits` bound: the document is too big to be worth building. */
export class JsonLimitError extends JsonSyntaxError {}

/**
 * Bounds on what one document may build, checked while parsing, so a huge header costs at most
 * the bound (not the whole text's worth of objects) before it is refused.
 */
export interface JsonLimits {
  /** Most values (objects, arrays, strings, numbers, literals) in the whole document. */
  readonly maxValues?: number;
  /** Most keys in any one object. */
  readonly maxKeys?: number;
}

const MAX_DEPTH = 64;
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  private i = 0;
  private values = 0;
  private readonly maxValues: number;
  private readonly maxKeys: number;
  constructor(
    private readonly s: string,
    limits: JsonLimits,
  ) {
    this.maxValues = limits.maxValues ?? Infinity;
    this.maxKeys = limits.maxKeys ?? Infinity;
  }

  parseDocument(): JsonValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(what, this.i);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.i++;
    }
  }

  private expect(ch: string): void {
    if (this.s[this.i] !== ch) this.fail(`expected '${ch}'`);
    this.i++;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    if (++this.values > this.maxValues) throw new JsonLimitError(`more than ${this.maxValues} JSON values`, this.i);
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? 'unexpected end of JSON' : 'expected a JSON value');
  }

  private object(depth: number): Map<string, JsonValue> {
    const out = new Map<string, JsonValue>();
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const at = this.i;
      if (this.s[this.i] !== '"') this.fail('expected a string key');
      const key = this.string();
      if (out.has(key)) {
        this.i = at;
        this.fail(`duplicate key ${quote(key)}`);
      }
      if (out.size >= this.maxKeys) throw new JsonLimitError(`an object with more than ${this.maxKeys} keys`, at);
      this.ws();
      this.expect(':');
      out.set(key, this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  private array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  private number(): JsonNumber {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) this.fail('malformed number');
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }

  private string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character inside a string');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(start, this.i);
      const e = s[this.i + 1];
      if (e === 'u') {
        const hex = s.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('malformed \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else {
        const r = e === undefined ? undefined : ESCAPES.get(e);
        if (r === undefined) this.fail('unknown escape');
        out += r;
        this.i += 2;
      }
      start = this.i;
    }
  }
}

export function parseJsonStrict(text: string, limits: JsonLimits = {}): JsonValue {
  return new Parser(text, limits).parseDocument();
}
