/**
 * How Sparse-QAT's fake quantization exports to ONNX: QuantizeLinear → DequantizeLinear (int8,
 * per tensor, or per channel of axis 0 for weights), the QDQ form TensorRT and onnxruntime build
 * int8 engines from. The weights stay float initializers with their zeros in front of the pair,
 * so `check` and TensorRT's sparsity still see the 2:4 pattern.
 *
 * ONNX's int8 saturates to [-128, 127]. A symmetric quantizer here clamps to [-127, 127]; for a
 * per-tensor one a Clip after DequantizeLinear restores that bound exactly. Per-channel weight
 * quantizers take their scale from the weight's own largest magnitude, so they never reach −128.
 * Scales are written as float32, as ONNX stores them (ours are float64), so a value within
 * float32 rounding of a rounding boundary may land one step away.
 */
import { registerOnnxOp } from '../../nn/index.js';

registerOnnxOp('fakeQuantize', (c, a) => {
  const perChannel = a.channels > 1;
  const shape = perChannel ? [a.channels] : [];
  const scale = c.floats(a.scale, shape);
  const zeroPoint = c.int8s(a.zeroPoint, shape);
  const axis: Record<string, number> = perChannel ? { axis: 0 } : {};
  const dq = c.node(
    'DequantizeLinear',
    [c.node('QuantizeLinear', [c.input(0), scale, zeroPoint], axis), scale, zeroPoint],
    axis,
  );
  if (perChannel || a.qmin <= -128) return dq;
  const [s, z] = [Math.fround(a.scale[0]!), a.zeroPoint[0]!];
  return c.node('Clip', [dq, c.floats([(a.qmin - z) * s], []), c.floats([(a.qmax - z) * s], [])]);
});
