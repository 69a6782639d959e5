/**
 * The demo's CNN. Every pruned layer reads a multiple of 16 channels (apex's shape filter: rows
 * % 8, input channels % 16), so all but the first conv (1 input channel) and the 10-way head
 * (10 rows) are sparsified: about 96% of the weights (98% for Fashion-MNIST). Small on purpose: the whole demo must run
 * in about a minute on two CPU cores.
 */
import {
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  type TensorModule,
  type VisionTransformer,
  vitSmall,
} from '../nn/index.js';
import { ValueError } from '../tensor/index.js';
import type { DemoModel } from './types.js';

/**
 * conv 1→16 · pool · conv 16→32 · pool · conv 32→C3 · flatten · fc →64 · fc 64→10.
 * `imageSize` 8 (digits: 8→4→2, C3 = 32, 128 features) or 28 (Fashion-MNIST: the first conv has
 * stride 2, 28→14→7→3, C3 = 48, 432 features — a quarter of the stride-1 cost, so an epoch fits
 * in minutes on two cores): both flatten to a multiple of 16.
 */
export function demoCnn(imageSize: number): Sequential {
  if (imageSize !== 8 && imageSize !== 28)
    throw new ValueError(`demoCnn: imageSize must be 8 (digits) or 28 (Fashion-MNIST), got ${imageSize}`);
  const big = imageSize === 28;
  const c3 = big ? 48 : 32;
  const features = big ? c3 * 3 * 3 : c3 * 2 * 2;
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1, stride: big ? 2 : 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, c3, 3, { padding: 1 }),
    new ReLU(),
    new Flatten(),
    new Linear(features, 64),
    new ReLU(),
    new Linear(64, 10),
  );
}

/**
 * The demo's ViT: width 32, 2 blocks of 4 heads, MLP 64. Digits: 2×2 patches of the 8×8 images,
 * 16 tokens; Fashion-MNIST: 7×7 patches of the 28×28 images, 16 tokens too, so an image costs the
 * same. Every attention and MLP weight passes apex's rule ([96, 32], [32, 32], [64, 32], [32, 64]).
 */
export function demoVit(imageSize: number): VisionTransformer {
  if (imageSize !== 8 && imageSize !== 28)
    throw new ValueError(`demoVit: imageSize must be 8 (digits) or 28 (Fashion-MNIST), got ${imageSize}`);
  return vitSmall({ imageSize, patchSize: imageSize === 8 ? 2 : 7, dim: 32, depth: 2, heads: 4, mlpRatio: 2 });
}

export function demoModel(kind: DemoModel, imageSize: number): TensorModule {
  return kind === 'vit' ? demoVit(imageSize) : demoCnn(imageSize);
}
