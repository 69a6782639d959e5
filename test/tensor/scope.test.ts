import { describe, expect, it } from 'vitest';
import { add, currentScope, fromArray, mul, relu, sum, traceGraph, withScope } from '../../src/tensor/index.js';

describe('module scopes', () => {
  it('nests scope names with dots and restores them', () => {
    expect(currentScope()).toBeNull();
    const t = withScope('layer1', () => withScope('0', () => relu(fromArray([-1, 2]))));
    expect(t.scope).toBe('layer1.0');
    const outer = withScope('layer1', () => {
      withScope('0', () => fromArray([1]));
      return fromArray([1]);
    });
    expect(outer.scope).toBe('layer1');
    expect(fromArray([1]).scope).toBeNull();
  });

  it('treats an empty name as transparent (the root module)', () => {
    expect(withScope('', () => withScope('conv1', () => currentScope()))).toBe('conv1');
    expect(withScope('fc', () => withScope('', () => currentScope()))).toBe('fc');
  });

  it('pops the scope even when the body throws', () => {
    expect(() =>
      withScope('bad', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(currentScope()).toBeNull();
  });
});

describe('traceGraph', () => {
  it('records op names, inputs and attributes, without autograd', () => {
    const a = fromArray([1, 2]);
    const b = fromArray([3, 4]);
    const { s, p, out } = traceGraph(() => {
      const s = add(a, b);
      const p = mul(s, a);
      return { s, p, out: sum(p, 0) };
    });
    expect(s.trace?.op).toBe('add');
    expect(s.trace?.inputs[0]).toBe(a);
    expect(s.trace?.inputs[1]).toBe(b);
    expect(p.trace?.op).toBe('mul');
    expect(p.trace?.inputs).toEqual([s, a]);
    expect(out.trace?.op).toBe('sum');
    expect(out.trace?.attrs).toEqual({ dim: [0], keepdim: false });
    expect(out.requiresGrad).toBe(false);
    expect(out.gradFn).toBeNull();
  });

  it('leaves trace null outside tracing', () => {
    const t = add(fromArray([1]), fromArray([2]));
    expect(t.trace).toBeNull();
  });

  it('combines with scopes: a traced forward names each op by module', () => {
    const x = fromArray([1, -1]);
    const y = traceGraph(() => withScope('block', () => relu(withScope('fc', () => mul(x, 2)))));
    expect(y.scope).toBe('block');
    expect(y.trace?.op).toBe('relu');
    expect(y.trace?.inputs[0]?.scope).toBe('block.fc');
    expect(y.trace?.inputs[0]?.trace?.op).toBe('mul');
  });
});
