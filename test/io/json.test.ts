import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, type JsonValue, parseJsonStrict } from '../../src/io/json.js';

/** Converts our Map-based result to plain values for comparison with JSON.parse. */
function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return v.value;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('parseJsonStrict', () => {
  it('agrees with JSON.parse on valid JSON without duplicate keys (property)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const want = JSON.parse(text) as unknown;
        const hasProto = text.includes('"__proto__"');
        if (!hasProto) expect(plain(parseJsonStrict(text))).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps number text, so 1.0 and 1e3 are distinguishable from integers', () => {
    const v = parseJsonStrict('[1.0, 1e3, -0, 12]') as JsonNumber[];
    expect(v.map((n) => n.text)).toEqual(['1.0', '1e3', '-0', '12']);
  });

  it.each([
    ['{"a":1,"a":2}', /duplicate key "a"/, 7],
    ['{"a":1,}', /expected a string key/, 7],
    ['[01]', /expected '\]'/, 2],
    ['"\\x"', /unknown escape/, 1],
    ['"a\nb"', /control character/, 2],
    ['{"a" 1}', /expected ':'/, 5],
    ['[1] x', /unexpected text/, 4],
    ['"abc', /unterminated string/, 4],
    ['['.repeat(100) + ']'.repeat(100), /nesting deeper than 64/, 65],
  ])('rejects %j', (text, pattern, index) => {
    let caught: unknown;
    try {
      parseJsonStrict(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JsonSyntaxError);
    expect((caught as Error).message).toMatch(pattern);
    expect((caught as JsonSyntaxError).index).toBe(index);
  });

  it('stores __proto__ as an ordinary Map key', () => {
    const m = parseJsonStrict('{"__proto__":{"x":"\\u00e9"}}') as Map<string, JsonValue>;
    expect((m.get('__proto__') as Map<string, JsonValue>).get('x')).toBe('é');
  });
});
