export { type ExportOnnxOptions, type OnnxExport, exportOnnx, onnxModelOf } from './export.js';
export { OnnxExportError } from './errors.js';
export { type OnnxMapping, onnxMapping, onnxOpNames, registerOnnxOp } from './ops.js';
export { OpContext } from './emitter.js';
