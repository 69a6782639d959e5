import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  Linear,
  Module,
  ModuleDict,
  ModuleList,
  Parameter,
  ReLU,
  Sequential,
  StateDictError,
  type AnyModule,
} from '../../src/nn/index.js';
import { type Tensor, ValueError, fromArray, ones, relu, sum, traceGraph, zeros } from '../../src/tensor/index.js';

/** A module with a parameter, a persistent and a non-persistent buffer, and children. */
class Net extends Module {
  scale: Parameter;
  fc: Linear;
  bn: BatchNorm2d;
  constructor() {
    super();
    this.scale = this.registerParameter('scale', ones([2]));
    this.registerBuffer('steps', zeros([1]));
    this.registerBuffer('cache', zeros([3]), false);
    this.fc = this.registerModule('fc', new Linear(2, 2));
    this.bn = this.registerModule('bn', new BatchNorm2d(2));
  }
  forward(x: Tensor): Tensor {
    return this.fc.call(x);
  }
}

describe('Module registry and names', () => {
  it('names parameters, buffers and modules with PyTorch dotted keys, in PyTorch order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['scale', 'fc.weight', 'fc.bias', 'bn.weight', 'bn.bias']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      'steps',
      'cache',
      'bn.running_mean',
      'bn.running_var',
      'bn.num_batches_tracked',
    ]);
    expect([...net.stateDict().keys()]).toEqual([
      'scale',
      'steps',
      'fc.weight',
      'fc.bias',
      'bn.weight',
      'bn.bias',
      'bn.running_mean',
      'bn.running_var',
      'bn.num_batches_tracked',
    ]);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc', 'bn']);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc', 'bn']);
    expect(net.getSubmodule('fc')).toBe(net.fc);
    expect(() => net.getSubmodule('fc.nope')).toThrow(/no submodule 'nope' on the way to 'fc.nope'/);
  });

  it('lists a shared parameter or module once', () => {
    const shared = new Linear(2, 2);
    const seq = new Sequential(shared, new ReLU(), shared);
    expect(seq.namedModules().map(([n]) => n)).toEqual(['', '0', '1']);
    expect(seq.parameters()).toHaveLength(2);
  });

  it('skips null slots (bias: false) everywhere', () => {
    const l = new Linear(3, 2, { bias: false });
    expect(l.bias).toBeNull();
    expect([...l.stateDict().keys()]).toEqual(['weight']);
  });

  it('rejects dotted, empty and clashing names', () => {
    const net = new Net();
    expect(() => net.registerParameter('a.b', ones([1]))).toThrow(ValueError);
    expect(() => net.registerBuffer('', ones([1]))).toThrow(/non-empty/);
    expect(() => net.registerBuffer('fc', ones([1]))).toThrow(/cannot register buffer 'fc': a module of that name/);
  });

  it('wraps a plain tensor as a Parameter sharing its storage; re-registering replaces', () => {
    const net = new Net();
    const t = fromArray([5, 6]);
    const p = net.registerParameter('scale', t);
    expect(p).toBeInstanceOf(Parameter);
    expect(p.requiresGrad).toBe(true);
    expect(p.data).toBe(t.data);
    expect(net.stateDict().get('scale')!.data).toEqual(new Float32Array([5, 6]));
  });
});

describe('Module modes, gradients, apply', () => {
  it('train()/eval() reach every descendant', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.bn.training).toBe(true);
  });

  it('zeroGrad clears, requiresGrad_(false) freezes, apply visits children before the parent', () => {
    const net = new Net();
    sum(net.call(ones([1, 2]))).backward();
    expect(net.fc.weight.grad).not.toBeNull();
    net.zeroGrad(false);
    expect([...net.fc.weight.grad!.data]).toEqual([0, 0, 0, 0]);
    net.zeroGrad();
    expect(net.fc.weight.grad).toBeNull();
    net.fc.requiresGrad_(false);
    expect(net.fc.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(net.scale.requiresGrad).toBe(true);
    const order: AnyModule[] = [];
    net.apply((m) => order.push(m));
    expect(order).toEqual([net.fc, net.bn, net]);
  });
});

describe('stateDict / loadStateDict', () => {
  it('returns copies and loads in place (same tensor objects, new values)', () => {
    const a = new Net();
    const b = new Net();
    const sd = a.stateDict();
    sd.get('fc.weight')!.data[0] = 42;
    expect(a.fc.weight.data[0]).not.toBe(42);
    const weightBefore = b.fc.weight;
    expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.fc.weight).toBe(weightBefore);
    expect(b.fc.weight.data[0]).toBe(42);
    expect([...b.fc.bias!.data]).toEqual([...a.fc.bias!.data]);
  });

  it('accepts a plain object too', () => {
    const l = new Linear(1, 1);
    l.loadStateDict({ weight: fromArray([[3]]), bias: fromArray([4]) });
    expect([l.weight.data[0], l.bias!.data[0]]).toEqual([3, 4]);
  });

  it('strict: one StateDictError listing every missing key, unexpected key and shape mismatch', () => {
    const net = new Net();
    const sd = net.stateDict();
    sd.delete('fc.bias');
    sd.delete('bn.running_var');
    sd.set('extra.weight', ones([1]));
    sd.set('fc.weight', ones([3, 2]));
    let err: unknown;
    try {
      net.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    const e = err as StateDictError;
    expect(e.missingKeys).toEqual(['fc.bias', 'bn.running_var']);
    expect(e.unexpectedKeys).toEqual(['extra.weight']);
    expect(e.message).toMatch(/missing keys \(2\): fc\.bias, bn\.running_var/);
    expect(e.message).toMatch(/unexpected keys \(1\): extra\.weight/);
    expect(e.message).toMatch(/fc\.weight: checkpoint \[3, 2\], model \[2, 2\]/);
    expect(e.message).not.toMatch(/2:4 pruning/);
  });

  it('nothing is copied when the load fails', () => {
    const net = new Net();
    const before = [...net.fc.weight.data];
    const sd = new Net().stateDict();
    sd.set('bogus', ones([1]));
    expect(() => net.loadStateDict(sd)).toThrow(StateDictError);
    expect([...net.fc.weight.data]).toEqual(before);
  });

  it('names 2:4 pruning (apex ASP) when the unexpected keys are ASP mask buffers', () => {
    const conv = new Sequential(new Conv2d(2, 2, 1));
    const sd = conv.stateDict();
    sd.set('0.__weight_mma_mask', ones([2, 2, 1, 1]));
    sd.set('0.__weight_mma_pruned_p', ones([2, 2, 1, 1]));
    expect(() => conv.loadStateDict(sd)).toThrow(/prepared for 2:4 pruning \(apex ASP\).*initModelForPruning/s);
  });

  it('non-strict returns the unmatched keys like PyTorch and still throws on shape mismatches', () => {
    const net = new Net();
    const sd = net.stateDict();
    sd.delete('scale');
    sd.set('other', ones([1]));
    expect(net.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['scale'], unexpectedKeys: ['other'] });
    sd.set('fc.bias', ones([5]));
    expect(() => net.loadStateDict(sd, { strict: false })).toThrow(/fc\.bias: checkpoint \[5\], model \[2\]/);
  });
});

describe('scopes: running a module tags its outputs with its dotted name', () => {
  class Block extends Module {
    conv1: Conv2d;
    act: ReLU;
    constructor() {
      super();
      this.conv1 = this.registerModule('conv1', new Conv2d(1, 1, 1));
      this.act = this.registerModule('act', new ReLU());
    }
    forward(x: Tensor): Tensor {
      return this.act.call(this.conv1.call(x));
    }
  }
  class Top extends Module {
    layer1 = this.registerModule('layer1', new Sequential(new Block()));
    forward(x: Tensor): Tensor {
      return relu(this.layer1.call(x));
    }
  }

  it('nested calls give layer1.0.conv1 and the root gives ""', () => {
    const top = new Top();
    const seen: [string | null, string][] = [];
    const out = traceGraph(() => top.call(ones([1, 1, 2, 2])));
    const walk = (t: Tensor): void => {
      seen.push([t.scope, t.trace?.op ?? 'leaf']);
      for (const i of t.trace?.inputs ?? []) walk(i);
    };
    walk(out);
    expect(out.scope).toBe('');
    expect(seen.map(([s]) => s)).toContain('layer1.0.conv1');
    expect(seen.map(([s]) => s)).toContain('layer1.0.act');
  });

  it('a module called on its own is its own root', () => {
    const top = new Top();
    expect(top.layer1.call(ones([1, 1, 2, 2])).scope).toBe('0.act');
    // forward() opens no scope, so the block it calls becomes the root and its relu is just 'act'.
    expect(top.layer1.forward(ones([1, 1, 2, 2])).scope).toBe('act');
  });
});

describe('containers', () => {
  it('Sequential names children 0..n-1 and chains them; at() takes negative indices', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    expect([...seq.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(seq.call(ones([4, 2])).shape).toEqual([4, 1]);
    expect(seq.at(-1)).toBe(seq.at(2));
    expect(() => seq.at(3)).toThrow(/index 3 is out of range for 3 layers/);
  });

  it('ModuleList and ModuleDict register their items and have no forward', () => {
    const list = new ModuleList([new Linear(1, 1), new Linear(1, 1)]);
    const dict = new ModuleDict({ enc: new Linear(1, 2), dec: new Linear(2, 1) });
    class Holder extends Module {
      blocks = this.registerModule('blocks', list);
      heads = this.registerModule('heads', dict);
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const h = new Holder();
    expect([...h.stateDict().keys()]).toEqual([
      'blocks.0.weight',
      'blocks.0.bias',
      'blocks.1.weight',
      'blocks.1.bias',
      'heads.enc.weight',
      'heads.enc.bias',
      'heads.dec.weight',
      'heads.dec.bias',
    ]);
    expect(dict.keys()).toEqual(['enc', 'dec']);
    expect(() => list.forward()).toThrow(/ModuleList has no forward/);
    expect(() => dict.get('x')).toThrow(/no module 'x' \(keys: enc, dec\)/);
    expect([...list]).toHaveLength(2);
  });
});
