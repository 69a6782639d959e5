/** Sparse-QAT: int8 fake quantization (per-channel weights, per-tensor activations), calibration and int8 export. */
export * from './errors.js';
export * from './fake_quant.js';
export * from './observer.js';
export * from './prepare.js';
export * from './export.js';
// Registers the ONNX export of fakeQuantize (QuantizeLinear → DequantizeLinear).
import './onnx.js';
