import { type MT19937, type Tensor, ValueError, add, flatten } from '../../tensor/index.js';
import { ReLU } from '../layers/activation.js';
import { Sequential } from '../layers/container.js';
import { Conv2d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { BatchNorm2d } from '../layers/norm.js';
import { AdaptiveAvgPool2d } from '../layers/pool.js';
import { Module } from '../module.js';
import { initTorchvisionStyle } from './common.js';

/**
 * torchvision's residual BasicBlock: conv3x3 → bn → relu → conv3x3 → bn, plus the input (through
 * `downsample` when the shape changes), then relu. Same child names, so keys read
 * `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`.
 */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null, generator?: MT19937) {
    super();
    this.conv1 = this.registerModule(
      'conv1',
      new Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false, generator }),
    );
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.relu = this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, { padding: 1, bias: false, generator }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.downsample = this.registerModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
    out = this.bn2.call(this.conv2.call(out));
    const identity = this.downsample === null ? x : this.downsample.call(x);
    return this.relu.call(add(out, identity));
  }
}

export interface ResNetSmallOptions {
  inChannels?: number;
  numClasses?: number;
  /** Channels of the first stage; each later stage doubles it (default 16). */
  width?: number;
  /** Blocks per stage; the stage count is this array's length (default [1, 1, 1]). */
  layers?: readonly number[];
  generator?: MT19937;
}

/**
 * A small torchvision-style ResNet for small images: a 3×3 stem (`conv1`, `bn1`, `relu`, no max
 * pool), stages `layer1`, `layer2`, ... of BasicBlocks (stride 2 from the second stage on),
 * `avgpool`, `fc`.
 */
export class ResNetSmall extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  readonly stages: Sequential[] = [];
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;

  constructor(opts: ResNetSmallOptions = {}) {
    super();
    const inChannels = opts.inChannels ?? 3;
    const numClasses = opts.numClasses ?? 10;
    const width = opts.width ?? 16;
    const layers = opts.layers ?? [1, 1, 1];
    const g = opts.generator;
    if (layers.length === 0 || layers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new ValueError(
        `resnetSmall: layers must be a non-empty list of positive block counts, got [${layers.join(', ')}]`,
      );
    }
    this.conv1 = this.registerModule(
      'conv1',
      new Conv2d(inChannels, width, 3, { padding: 1, bias: false, generator: g }),
    );
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.relu = this.registerModule('relu', new ReLU());
    let inplanes = width;
    layers.forEach((blocks, i) => {
      const planes = width * 2 ** i;
      const stride = i === 0 ? 1 : 2;
      const stage = new Sequential();
      for (let b = 0; b < blocks; b++) {
        const s = b === 0 ? stride : 1;
        const down =
          s !== 1 || inplanes !== planes
            ? new Sequential(
                new Conv2d(inplanes, planes, 1, { stride: s, bias: false, generator: g }),
                new BatchNorm2d(planes),
              )
            : null;
        stage.append(new BasicBlock(inplanes, planes, s, down, g));
        inplanes = planes;
      }
      this.stages.push(this.registerModule(`layer${i + 1}`, stage));
    });
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
    this.fc = this.registerModule('fc', new Linear(inplanes, numClasses, { generator: g }));
    initTorchvisionStyle(this, null, g);
  }

  forward(x: Tensor): Tensor {
    let y = this.relu.call(this.bn1.call(this.conv1.call(x)));
    for (const stage of this.stages) y = stage.call(y);
    return this.fc.call(flatten(this.avgpool.call(y), 1));
  }
}

/** A small ResNet (see `ResNetSmall`), e.g. `resnetSmall({ inChannels: 1, numClasses: 10, width: 8 })`. */
export function resnetSmall(opts: ResNetSmallOptions = {}): ResNetSmall {
  return new ResNetSmall(opts);
}
