import { Sparse24Error } from '../../tensor/errors.js';

/** A model cannot be written as ONNX: it names the op and the module it ran in. */
export class OnnxExportError extends Sparse24Error {
  constructor(
    readonly op: string,
    readonly scope: string,
    reason: string,
  ) {
    super(`exportOnnx: op '${op}'${scope === '' ? '' : ` in module '${scope}'`} ${reason}`);
  }
}
