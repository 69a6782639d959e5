import { type MT19937, type Tensor, ValueError, add, flatten } from '../../tensor/index.js';
import { ReLU6 } from '../layers/activation.js';
import { Sequential } from '../layers/container.js';
import { Conv2d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { BatchNorm2d } from '../layers/norm.js';
import { Dropout } from '../layers/misc.js';
import { AdaptiveAvgPool2d } from '../layers/pool.js';
import { Module } from '../module.js';
import { initTorchvisionStyle } from './common.js';

/** torchvision's Conv2dNormActivation: children '0' conv (no bias), '1' batch norm, '2' ReLU6. */
export class ConvBNReLU extends Sequential {
  constructor(inp: number, oup: number, kernelSize = 3, stride = 1, groups = 1, generator?: MT19937) {
    const padding = (kernelSize - 1) >> 1;
    super(
      new Conv2d(inp, oup, kernelSize, { stride, padding, groups, bias: false, generator }),
      new BatchNorm2d(oup),
      new ReLU6(),
    );
  }
}

/**
 * MobileNetV2's inverted residual: 1×1 expansion (skipped when expandRatio is 1), 3×3
 * depthwise (groups = channels), 1×1 linear pointwise projection + batch norm, all in the child
 * `conv`; a residual connection when stride is 1 and the channel count is kept.
 */
export class InvertedResidual extends Module {
  readonly useResConnect: boolean;
  conv: Sequential;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, generator?: MT19937) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`InvertedResidual: stride must be 1 or 2, got ${stride}`);
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const conv = new Sequential();
    if (expandRatio !== 1) conv.append(new ConvBNReLU(inp, hidden, 1, 1, 1, generator));
    conv.append(new ConvBNReLU(hidden, hidden, 3, stride, hidden, generator));
    conv.append(new Conv2d(hidden, oup, 1, { bias: false, generator }));
    conv.append(new BatchNorm2d(oup));
    this.conv = this.registerModule('conv', conv);
  }

  forward(x: Tensor): Tensor {
    const y = this.conv.call(x);
    return this.useResConnect ? add(x, y) : y;
  }
}

/** One row of MobileNetV2's table: expansion t, output channels c, repeats n, first stride s. */
export interface InvertedResidualSetting {
  t: number;
  c: number;
  n: number;
  s: number;
}

export interface MobileNetSmallOptions {
  inChannels?: number;
  numClasses?: number;
  /** Channels of the stem; the default table scales from it (default 16). */
  width?: number;
  settings?: readonly InvertedResidualSetting[];
  lastChannel?: number;
  dropout?: number;
  generator?: MT19937;
}

/**
 * A small MobileNetV2-style network with torchvision's names: `features.0` stem (stride 1, for
 * small images), `features.1..` inverted residuals, a final 1×1 ConvBNReLU, then average pooling
 * and `classifier` (Dropout '0', Linear '1').
 */
export class MobileNetSmall extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  constructor(opts: MobileNetSmallOptions = {}) {
    super();
    const w = opts.width ?? 16;
    const g = opts.generator;
    const settings = opts.settings ?? [
      { t: 1, c: w, n: 1, s: 1 },
      { t: 4, c: 2 * w, n: 2, s: 2 },
      { t: 4, c: 4 * w, n: 1, s: 2 },
    ];
    const lastChannel = opts.lastChannel ?? 8 * w;
    const features = new Sequential(new ConvBNReLU(opts.inChannels ?? 3, w, 3, 1, 1, g));
    let inp = w;
    for (const { t, c, n, s } of settings) {
      for (let i = 0; i < n; i++) {
        features.append(new InvertedResidual(inp, c, i === 0 ? s : 1, t, g));
        inp = c;
      }
    }
    features.append(new ConvBNReLU(inp, lastChannel, 1, 1, 1, g));
    this.features = this.registerModule('features', features);
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
    this.classifier = this.registerModule(
      'classifier',
      new Sequential(
        new Dropout(opts.dropout ?? 0.2, { generator: g }),
        new Linear(lastChannel, opts.numClasses ?? 10, { generator: g }),
      ),
    );
    initTorchvisionStyle(this, 0.01, g);
  }

  forward(x: Tensor): Tensor {
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }
}

/** A small MobileNet (see `MobileNetSmall`), e.g. `mobilenetSmall({ inChannels: 1, numClasses: 10, width: 8 })`. */
export function mobilenetSmall(opts: MobileNetSmallOptions = {}): MobileNetSmall {
  return new MobileNetSmall(opts);
}
