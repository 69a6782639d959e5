import { describe, expect, it } from 'vitest';
import { registerBackend } from '../../src/tensor/backend.js';
import { BackendError, ValueError } from '../../src/tensor/errors.js';
import { Registry } from '../../src/tensor/registry.js';

describe('Registry (the one kind of extension point)', () => {
  const make = (): Registry<number> => {
    const r = new Registry<number>('widget', ValueError, {
      reserved: { test: (n) => /^\d+$/.test(n), reason: 'digit names are generated' },
    });
    r.builtin('one', 1);
    return r;
  };

  it('needs { replace: true } to re-register a user entry, and keeps built-ins fixed', () => {
    const r = make();
    r.register('two', 2);
    expect(() => r.register('two', 22)).toThrow(/widget 'two' is registered already; pass \{ replace: true \}/);
    r.register('two', 22, { replace: true });
    expect(r.get('two')).toBe(22);
    expect(() => r.register('one', 11, { replace: true })).toThrow(/widget 'one' is built in/);
    expect(() => r.unregister('one')).toThrow(ValueError);
    expect(r.unregister('two')).toBe(true);
    expect(r.unregister('two')).toBe(false);
  });

  it('refuses reserved and empty names with the reason, in the owner’s error type', () => {
    const r = make();
    expect(() => r.register('24', 3)).toThrow(/widget name '24' is reserved: digit names are generated/);
    expect(() => r.register('', 3)).toThrow(ValueError);
    expect(r.has('24')).toBe(false);
  });

  it('names what exists when a lookup fails, in registration order', () => {
    const r = make();
    r.register('zeta', 9);
    r.register('alpha', 8);
    expect(r.names()).toEqual(['one', 'zeta', 'alpha']);
    expect(() => r.get('nope', 'or a digit string')).toThrow(
      "unknown widget 'nope'; available: one, zeta, alpha or a digit string",
    );
    expect(r.find('nope')).toBeUndefined();
  });

  it('is what registerBackend uses: the built-in backends cannot be replaced', () => {
    expect(() => registerBackend('reference', { dense: {} as never }, { replace: true })).toThrow(BackendError);
    expect(() => registerBackend('reference', { dense: {} as never }, { replace: true })).toThrow(/built in/);
  });
});
