import { describe, expect, it } from 'vitest';
import { FormatError, metadataInteger } from '../../src/io/index.js';

describe('metadataInteger', () => {
  it('reads plain decimal digits and leaves an absent key undefined', () => {
    const meta = { epoch: '7', zero: '0', big: String(2 ** 53 - 1) };
    expect(metadataInteger('f', meta, 'epoch')).toBe(7);
    expect(metadataInteger('f', meta, 'zero')).toBe(0);
    expect(metadataInteger('f', meta, 'big')).toBe(2 ** 53 - 1);
    expect(metadataInteger('f', meta, 'missing')).toBeUndefined();
    // A null-prototype record (what the reader returns) and inherited names.
    expect(metadataInteger('f', Object.create(null) as Record<string, string>, 'toString')).toBeUndefined();
  });

  it.each(['', ' ', ' 3', '3 ', '0x10', '1e3', '3.0', '-1', '+1', '01', String(2 ** 53 + 2), 'NaN', 'Infinity'])(
    'refuses %j with a FormatError naming file, key and value',
    (text) => {
      let caught: unknown;
      try {
        metadataInteger('ckpt.safetensors', { 'sparse24.epoch': text }, 'sparse24.epoch');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(FormatError);
      expect((caught as Error).message).toBe(
        `ckpt.safetensors: __metadata__ 'sparse24.epoch' must be a non-negative integer in decimal digits, found '${text}'`,
      );
    },
  );

  it('clips a huge value in the message', () => {
    expect(() => metadataInteger('f', { e: 'x'.repeat(1e6) }, 'e')).toThrow(/more characters\)'$/);
  });
});
