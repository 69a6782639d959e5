import { createRequire } from 'node:module';
import type { BenchCase } from '../cases.js';
import { benchData, convOperandSizes, gemmOperandSizes } from '../cases.js';
import type { Implementation } from '../implementation.js';

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * TensorFlow.js peers: the wasm backend (XNNPACK, SIMD, threads where available) and the pure-JS cpu
 * backend. Convolutions run in tfjs's native NHWC layout, the layout it is fastest in.
 */
/**
 * Forces the result (tfjs backends may compute lazily) and frees it. Not `tf.tidy(() => t.dataSync())`:
 * tidy walks whatever its callback returns looking for tensors, and walking a million-element
 * typed array costs more than the matmul itself.
 */
function readAndDispose(t: { dataSync(): unknown; dispose(): void }): void {
  t.dataSync();
  t.dispose();
}

export async function tfjsPeers(): Promise<Implementation[]> {
  const require = createRequire(import.meta.url);
  let tf: Tf;
  try {
    tf = require('@tensorflow/tfjs-core') as Tf;
    require('@tensorflow/tfjs-backend-cpu');
    require('@tensorflow/tfjs-backend-wasm');
  } catch {
    return [];
  }
  const out: Implementation[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    out.push({
      name: `tfjs-${backend}`,
      peer: true,
      backend: `tfjs-${backend}`,
      variant: 'dense',
      async prepare(c: BenchCase) {
        await tf.setBackend(backend);
        await tf.ready();
        if (c.kind === 'gemm') {
          const [na, nb] = gemmOperandSizes(c.gemm);
          const { m, k, n } = c.gemm;
          const a = tf.tensor2d(benchData(na, 1), [m, k]);
          // A tfjs dense layer keeps its kernel as [in, out] and calls matMul(x, kernel). Asking for
          // transposeB instead sends tfjs-wasm down a slow scalar path, not XNNPACK, so the Linear
          // shapes (transB in our cases) use the layer's layout: the same values stand for Wᵀ.
          const b = tf.tensor2d(benchData(nb, 2), [k, n]);
          return {
            run: () => readAndDispose(tf.matMul(a, b)),
            dispose: () => tf.dispose([a, b]),
          };
        }
        const p = c.conv;
        const [nx, nw] = convOperandSizes(p);
        const x = tf.tensor4d(benchData(nx, 1), [p.batch, p.inSize[1], p.inSize[2], p.inChannels]);
        const w = tf.tensor4d(benchData(nw, 2), [p.kernelSize[1], p.kernelSize[2], p.inChannels, p.outChannels]);
        return {
          run: () => readAndDispose(tf.conv2d(x, w, [p.stride[1], p.stride[2]], p.padding[1] === 0 ? 'valid' : 'same')),
          dispose: () => tf.dispose([x, w]),
        };
      },
    });
  }
  return out;
}
