export {
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  loadOnnx,
  parseOnnx,
  saveOnnx,
  serializeOnnx,
} from './model.js';
export {
  type IAttributeProto,
  type IGraphProto,
  type IModelProto,
  type INodeProto,
  type ITensorProto,
  type IValueInfoProto,
  onnx,
} from './proto.js';
export { ONNX_DTYPE, tensorProtoFrom } from './tensor.js';
export { type AttributeValue, DEFAULT_OPSET, attribute, modelOf, node, valueInfo } from './build.js';
export { type OnnxWeight, onnxLayerWeights } from './weights.js';
