import { createRequire } from 'node:module';
import type { BenchCase } from '../cases.js';
import { benchData, convOperandSizes, gemmOperandSizes } from '../cases.js';
import type { Implementation } from '../implementation.js';
import { singleNodeModel } from './onnx-model.js';

type Ort = typeof import('onnxruntime-node');

/** onnxruntime-node's CPU execution provider, fed one-node models built for each shape. */
export async function onnxruntimePeers(): Promise<Implementation[]> {
  let ort: Ort;
  try {
    ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
  } catch {
    return [];
  }
  return [
    {
      name: 'onnxruntime-node',
      peer: true,
      backend: 'onnxruntime-node',
      variant: 'dense',
      async prepare(c: BenchCase) {
        let model: Uint8Array;
        let feeds: Record<string, InstanceType<Ort['Tensor']>>;
        if (c.kind === 'gemm') {
          const { m, k, n, transB } = c.gemm;
          const [na, nb] = gemmOperandSizes(c.gemm);
          const aShape = [m, k];
          const bShape = transB ? [n, k] : [k, n];
          model = transB
            ? singleNodeModel(
                'Gemm',
                [
                  { name: 'A', shape: aShape },
                  { name: 'B', shape: bShape },
                ],
                [m, n],
                { transB: 1 },
              )
            : singleNodeModel(
                'MatMul',
                [
                  { name: 'A', shape: aShape },
                  { name: 'B', shape: bShape },
                ],
                [m, n],
              );
          feeds = {
            A: new ort.Tensor('float32', benchData(na, 1), aShape),
            B: new ort.Tensor('float32', benchData(nb, 2), bShape),
          };
        } else {
          const p = c.conv;
          const [nx, nw] = convOperandSizes(p);
          const xShape = [p.batch, p.inChannels, p.inSize[1], p.inSize[2]];
          const wShape = [p.outChannels, p.inChannels / p.groups, p.kernelSize[1], p.kernelSize[2]];
          model = singleNodeModel(
            'Conv',
            [
              { name: 'X', shape: xShape },
              { name: 'W', shape: wShape },
            ],
            [p.batch, p.outChannels, p.outSize[1], p.outSize[2]],
            {
              kernel_shape: [p.kernelSize[1], p.kernelSize[2]],
              pads: [p.padding[1], p.padding[2], p.padding[1], p.padding[2]],
              strides: [p.stride[1], p.stride[2]],
              group: p.groups,
            },
          );
          feeds = {
            X: new ort.Tensor('float32', benchData(nx, 1), xShape),
            W: new ort.Tensor('float32', benchData(nw, 2), wShape),
          };
        }
        const session = await ort.InferenceSession.create(model);
        return {
          run: async () => {
            await session.run(feeds);
          },
          dispose: () => void session.release(),
        };
      },
    },
  ];
}
