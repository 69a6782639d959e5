/**
 * The fake-quantize modules QAT attaches to a layer (PyTorch's FakeQuantize + observer in one).
 *
 * `ActivationFakeQuant` (per tensor): while observing, each batch updates the running range —
 * 'minmax' keeps the overall min and max seen, 'movingAverage' moves them toward each batch's by
 * `averagingConstant` (0.01, as PyTorch's MovingAverageMinMaxObserver; the first batch sets them).
 * It observes in training mode and during `calibrate`; in eval mode the scale is frozen. Before
 * anything was observed it passes values through unchanged.
 *
 * `WeightFakeQuant` (per output channel, axis 0): the range of the current weight at every
 * forward, so eval-mode fake quantization is exactly what `quantizeModel` exports.
 *
 * State lives in persistent buffers (`scale`, `zero_point`, `min_val`, `max_val`), so a QAT
 * checkpoint keeps its calibration. The layer's own parameter names do not change.
 */
import { Module } from '../../nn/index.js';
import { Tensor, ValueError, zeros } from '../../tensor/index.js';
import { type QuantParams, type QuantScheme, fakeQuantize, paramsFromRange, rangeOf } from './fake_quant.js';

export type ObserverKind = 'minmax' | 'movingAverage';

export interface ActivationQuantOptions {
  observer?: ObserverKind;
  /** Default 'asymmetric' (activations after ReLU are one-sided). */
  scheme?: QuantScheme;
  averagingConstant?: number;
}

export class ActivationFakeQuant extends Module {
  readonly observer: ObserverKind;
  readonly scheme: QuantScheme;
  readonly averagingConstant: number;
  /** Update the range from the data (training mode or calibration). */
  observerEnabled = true;
  fakeQuantEnabled = true;
  /** Observe even in eval mode (set by `calibrate`). */
  calibrating = false;
  readonly scale: Tensor;
  readonly zeroPoint: Tensor;
  readonly minVal: Tensor;
  readonly maxVal: Tensor;

  constructor(opts: ActivationQuantOptions = {}) {
    super();
    this.observer = opts.observer ?? 'movingAverage';
    this.scheme = opts.scheme ?? 'asymmetric';
    this.averagingConstant = opts.averagingConstant ?? 0.01;
    if (this.observer !== 'minmax' && this.observer !== 'movingAverage')
      throw new ValueError(
        `ActivationFakeQuant: observer must be 'minmax' or 'movingAverage', got '${String(this.observer)}'`,
      );
    if (!(this.averagingConstant > 0 && this.averagingConstant <= 1))
      throw new ValueError(`ActivationFakeQuant: averagingConstant must be in (0, 1], got ${this.averagingConstant}`);
    this.scale = this.registerBuffer('scale', new Tensor(new Float32Array([1]), [1]));
    this.zeroPoint = this.registerBuffer('zero_point', zeros([1]));
    // ±Infinity marks "nothing observed yet" (and survives a checkpoint as such).
    this.minVal = this.registerBuffer('min_val', new Tensor(new Float32Array([Infinity]), [1]));
    this.maxVal = this.registerBuffer('max_val', new Tensor(new Float32Array([-Infinity]), [1]));
  }

  get observed(): boolean {
    return this.minVal.data[0]! <= this.maxVal.data[0]!;
  }

  /** Forgets the observed range (a fresh calibration). */
  resetRange(): void {
    this.minVal.data[0] = Infinity;
    this.maxVal.data[0] = -Infinity;
    this.scale.data[0] = 1;
    this.zeroPoint.data[0] = 0;
  }

  params(): QuantParams {
    if (!this.observed)
      throw new ValueError('ActivationFakeQuant: no range observed yet (run calibrate or a training step first)');
    return paramsFromRange([this.minVal.data[0]!], [this.maxVal.data[0]!], this.scheme);
  }

  observe(x: Tensor): void {
    if (x.size === 0) return;
    const { min, max } = rangeOf(x.data, 1);
    const lo = min[0]!;
    const hi = max[0]!;
    if (!this.observed) {
      this.minVal.data[0] = lo;
      this.maxVal.data[0] = hi;
    } else if (this.observer === 'minmax') {
      this.minVal.data[0] = Math.min(this.minVal.data[0]!, lo);
      this.maxVal.data[0] = Math.max(this.maxVal.data[0]!, hi);
    } else {
      const c = this.averagingConstant;
      this.minVal.data[0] = this.minVal.data[0]! + c * (lo - this.minVal.data[0]!);
      this.maxVal.data[0] = this.maxVal.data[0]! + c * (hi - this.maxVal.data[0]!);
    }
    const p = this.params();
    this.scale.data[0] = p.scale[0]!;
    this.zeroPoint.data[0] = p.zeroPoint[0]!;
  }

  forward(x: Tensor): Tensor {
    if (this.observerEnabled && (this.training || this.calibrating)) this.observe(x);
    if (!this.fakeQuantEnabled || !this.observed) return x;
    return fakeQuantize(x, this.params());
  }
}

export interface WeightQuantOptions {
  /** Default 'symmetric': keeps the 2:4 pattern in the stored integers. */
  scheme?: QuantScheme;
}

export class WeightFakeQuant extends Module {
  readonly scheme: QuantScheme;
  fakeQuantEnabled = true;
  readonly scale: Tensor;
  readonly zeroPoint: Tensor;

  constructor(channels: number, opts: WeightQuantOptions = {}) {
    super();
    this.scheme = opts.scheme ?? 'symmetric';
    if (this.scheme !== 'symmetric' && this.scheme !== 'asymmetric')
      throw new ValueError(`WeightFakeQuant: scheme must be 'symmetric' or 'asymmetric', got '${String(this.scheme)}'`);
    this.scale = this.registerBuffer('scale', new Tensor(new Float32Array(channels).fill(1), [channels]));
    this.zeroPoint = this.registerBuffer('zero_point', zeros([channels]));
  }

  /** Per-channel parameters of `weight` as it is now (also stored in the buffers). */
  params(weight: Tensor): QuantParams {
    const { min, max } = rangeOf(weight.data, weight.shape[0]!);
    const p = paramsFromRange(min, max, this.scheme);
    this.scale.data.set(p.scale);
    this.zeroPoint.data.set(p.zeroPoint);
    return p;
  }

  forward(weight: Tensor): Tensor {
    const p = this.params(weight);
    return this.fakeQuantEnabled ? fakeQuantize(weight, p) : weight;
  }
}
