/**
 * The demo's calibrated one-shot pruning (Wanda, SparseGPT, or magnitude through the same path):
 * optionally the channel permutation first (permuteModel with the demo's per-layer guard, as ASP
 * runs it inside computeSparseMasks for the magnitude recipe), then pruneOneShot on calibration
 * images from the training set. The result is an ordinary ASP state to fine-tune.
 */
import { type AspPermutation, type LayerPruneReport, type PruneMethod, pruneOneShot } from '../asp/index.js';
import type { ASP } from '../asp/index.js';
import type { ExampleDataset } from '../nn/data/index.js';
import type { TensorModule } from '../nn/index.js';
import { permuteModel } from '../permutation/index.js';
import { Tensor, ValueError } from '../tensor/index.js';

/** The first `n` training images (fewer if the split is smaller) as one batch. */
export function calibrationBatch(train: ExampleDataset, n: number): Tensor {
  const count = Math.min(n, train.length);
  if (count < 1) throw new ValueError('demo: no training image to calibrate on');
  const first = train.get(0).x;
  const data = new Float32Array(count * first.size);
  for (let i = 0; i < count; i++) data.set(train.get(i).x.data, i * first.size);
  return new Tensor(data, [count, ...first.shape]);
}

/** pruneOneShot's pattern for a demo pattern: only 2:4 along input channels has a calibrated form here. */
export function oneShotPattern(pattern: string): string {
  if (pattern === 'm4n2_1d' || pattern === '2:4') return '2:4';
  throw new ValueError(
    `demo: one-shot methods prune 2:4 along input channels (pattern m4n2_1d or 2:4), got pattern '${pattern}'`,
  );
}

export interface OneShotStep {
  readonly asp: ASP;
  readonly permutation: AspPermutation | null;
  readonly layers: readonly LayerPruneReport[];
}

export function oneShotPrune(
  model: TensorModule,
  method: PruneMethod,
  o: { calibration: Tensor; exampleInput: Tensor; permute: boolean; pattern: string; say: (line: string) => void },
): OneShotStep {
  let permutation: AspPermutation | null = null;
  if (o.permute) {
    const t0 = performance.now();
    const report = permuteModel(model, o.exampleInput, { perLayerGuard: true });
    permutation = { report, seconds: (performance.now() - t0) / 1000 };
  }
  const { asp, layers } = pruneOneShot(model, o.calibration, {
    method,
    pattern: oneShotPattern(o.pattern),
    asp: { verbosity: 0, logger: () => {} },
    onLayer: (r, i, n) =>
      o.say(
        `  ${method} ${i + 1}/${n} ${r.name}: ${r.method}` +
          `${r.reconstructionError === null ? '' : `, reconstruction error ${r.reconstructionError.toExponential(2)}`}`,
      ),
  });
  return { asp, permutation, layers };
}
