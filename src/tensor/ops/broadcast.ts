import { type Shape, broadcastIndex, numel, shapeEquals } from '../shape.js';

/**
 * Sums a gradient of shape `outShape` back to `inShape`, undoing broadcasting: every output
 * position adds into the input position it read.
 */
export function unbroadcast(grad: Float32Array, inShape: Shape, outShape: Shape): Float32Array {
  if (shapeEquals(inShape, outShape)) return grad;
  const idx = broadcastIndex(inShape, outShape);
  const out = new Float32Array(numel(inShape));
  for (let i = 0; i < grad.length; i++) out[idx[i]!]! += grad[i]!;
  return out;
}
