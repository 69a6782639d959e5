import fc from 'fast-check';
import { expect, it } from 'vitest';
import { withBackend } from '../../../src/tensor/backend.js';
import { conv1d, conv2d, conv3d } from '../../../src/tensor/ops/conv.js';
import { linear, matmul } from '../../../src/tensor/ops/matmul.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { maxRelErr, randomArray } from './arbitraries.js';

/** Runs `f` on fresh leaves under `backend`; returns the output and every input gradient. */
function forwardBackward(backend: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], s: number): Float32Array[] {
  return withBackend(backend, () => {
    const leaves = inputs.map((t) => new Tensor(t.data.slice(), t.shape).requiresGrad_());
    const y = f(...leaves);
    y.backward(new Tensor(randomArray(y.data.length, s), y.shape));
    return [y.data, ...leaves.map((l) => l.grad?.data ?? new Float32Array(0))];
  });
}

const rnd = (shape: number[], s: number): Tensor =>
  new Tensor(
    randomArray(
      shape.reduce((a, b) => a * b, 1),
      s,
    ),
    shape,
  );
const seed = fc.integer({ min: 1, max: 100_000 });

/**
 * The ops (matmul with broadcasting, linear, conv1d/2d/3d) under `backend` equal the reference,
 * forward and every gradient, within |x - ref| / (1 + |ref|) <= tol. Call inside a describe block.
 */
export function opsMatchReference(backend: string, tol: number, before: () => void = () => {}): void {
  const same = (f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], s: number): void => {
    const want = forwardBackward('reference', f, inputs, s);
    const got = forwardBackward(backend, f, inputs, s);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      expect(g.length).toBe(want[i]!.length);
      expect(maxRelErr(g, want[i]!)).toBeLessThanOrEqual(tol);
    });
  };
  const dim = fc.integer({ min: 1, max: 9 });

  it('matmul with broadcast batch dimensions and 1-D operands', () => {
    before();
    fc.assert(
      fc.property(
        dim,
        dim,
        dim,
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('2d', 'batched', 'vec'),
        seed,
        (m, k, n, b, kind, s) => {
          const [as, bs] =
            kind === '2d'
              ? [
                  [m, k],
                  [k, n],
                ]
              : kind === 'batched'
                ? [
                    [b, 1, m, k],
                    [3, k, n],
                  ]
                : [[k], [k, n]];
          same(matmul, [rnd(as, s), rnd(bs, s + 1)], s + 2);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('linear with and without bias', () => {
    before();
    fc.assert(
      fc.property(dim, dim, dim, fc.boolean(), seed, (rows, inF, outF, withBias, s) => {
        const inputs = [rnd([2, rows, inF], s), rnd([outF, inF], s + 1)];
        if (withBias) inputs.push(rnd([outF], s + 2));
        same((x, w, b) => linear(x!, w!, b ?? null), inputs, s + 3);
      }),
      { numRuns: 40 },
    );
  });

  it('conv1d/2d/3d with bias, stride, padding, dilation and groups', () => {
    before();
    const convs = [conv1d, conv2d, conv3d] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 1, max: 2 }),
        seed,
        (dims, groups, stride, padding, dilation, s) => {
          const spatial = new Array<number>(dims).fill(6);
          const kernel = new Array<number>(dims).fill(dims === 3 ? 2 : 3);
          const opts = { stride, padding, dilation, groups };
          const inputs = [
            rnd([2, 2 * groups, ...spatial], s),
            rnd([3 * groups, 2, ...kernel], s + 1),
            rnd([3 * groups], s + 2),
          ];
          same((x, w, b) => convs[dims - 1]!(x!, w!, b!, opts), inputs, s + 3);
        },
      ),
      { numRuns: 25 },
    );
  });
}
