/**
 * File formats: safetensors (read/write), .npy (read/write), IDX (read). Readers treat every
 * file as untrusted and throw only `FormatError` for malformed input; writers are atomic and
 * report failures as `FileWriteError` naming the target.
 *
 * Limits on what a reader accepts (each refusal is a FormatError naming the limit):
 * - files: regular files only (after links), at most `MAX_FILE_BYTES` (2 GiB; `maxBytes` option);
 *   a gzip IDX file inflates to at most the same limit and never past what its header claims;
 * - safetensors headers: at most `MAX_HEADER_BYTES` (100 MB, the reference's cap), `MAX_TENSORS`
 *   (100,000) tensors and `MAX_HEADER_VALUES` (2,000,000) JSON values, nesting at most 64 deep;
 * - .npy headers: at most 1 MiB, tuples nested at most 64 deep.
 * A missing or unopenable path keeps Node's error (with its errno `code`).
 */
export { FileWriteError, FormatError } from './errors.js';
export { describeErrno, errnoCode } from './errno.js';
export { MAX_QUOTED, clip, quote, shapeText } from './clip.js';
export { metadataInteger } from './metadata.js';
export { type Dtype, type DtypeArrays, type StoredTensor, type StoredData, DTYPES, isDtype } from './dtypes.js';
export {
  type Float32Overflow,
  FLOAT32_MAX,
  describeOverflow,
  float32Overflow,
  toFloat32,
  toTensor,
  fromTensor,
} from './convert.js';
export {
  float32ToFloat16Bits,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  bfloat16BitsToFloat32,
  float32ArrayToFloat16Bits,
  float16BitsToFloat32Array,
  float32ArrayToBfloat16Bits,
  bfloat16BitsToFloat32Array,
} from '../tensor/half.js';
export {
  type SafetensorsFile,
  type TensorsToSave,
  type MetadataToSave,
  parseSafetensors,
  loadSafetensors,
  serializeSafetensors,
  saveSafetensors,
} from './safetensors.js';
export { MAX_HEADER_BYTES, MAX_HEADER_VALUES, MAX_TENSORS } from './safetensors-header.js';
export { parseNpy, loadNpy, serializeNpy, saveNpy } from './npy.js';
export { parseIdx, readIdx } from './idx.js';
export {
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxWeight,
  loadOnnx,
  onnxLayerWeights,
  parseOnnx,
  saveOnnx,
  serializeOnnx,
} from './onnx/index.js';
export { makeDirectory, temporaryName, writeFileAtomic } from './atomic.js';
export {
  type ReadLimits,
  MAX_FILE_BYTES,
  MAX_READABLE_BYTES,
  RegularFile,
  readRegularFile,
  withRegularFile,
} from './file_read.js';
export {
  type ModelFolder,
  CONFIG_NAME,
  WEIGHTS_NAME,
  loadModelFolder,
  modelFolderOf,
  readJsonFile,
  saveModelFolder,
} from './model_folder.js';
