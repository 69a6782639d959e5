/**
 * Reference sparse convolution as an implicit GEMM over the weight's 2-D view: for every output
 * element, Σ over kernel positions p of Σ over the kept values of view row (p, k) of
 * value · x[input channel = group base + column, tap position]. Taps falling in the padding are
 * skipped, as in the dense reference. Accumulated in float64 and rounded once.
 */
import type { ConvParams } from '../../../tensor/kernels/types.js';
import type { CompressedNM } from '../../compressed.js';
import { decodedColumns } from '../columns.js';
import { checkConv, convOutputLength, perRow } from '../geometry.js';

export function conv(x: Float32Array, w: CompressedNM, bias: Float32Array | null, p: ConvParams): Float32Array {
  const { positions, conv1d } = checkConv(x, w, bias, p);
  const [D, H, W] = p.inSize;
  const [kD, kH, kW] = p.kernelSize;
  const [oD, oH, oW] = p.outSize;
  const K = p.outChannels;
  const cg = p.inChannels / p.groups;
  const kg = K / p.groups;
  const plane = D * H * W;
  const h = perRow(w);
  const vals = w.values;
  const cols = decodedColumns(w);
  const y = new Float32Array(convOutputLength(p));
  let o = 0;
  for (let n = 0; n < p.batch; n++) {
    for (let k = 0; k < K; k++) {
      const channelBase = (n * p.inChannels + Math.floor(k / kg) * cg) * plane;
      for (let od = 0; od < oD; od++) {
        for (let oh = 0; oh < oH; oh++) {
          for (let ow = 0; ow < oW; ow++) {
            let acc = bias === null ? 0 : bias[k]!;
            for (let a = 0; a < kD; a++) {
              const id = od * p.stride[0] - p.padding[0] + a * p.dilation[0];
              if (id < 0 || id >= D) continue;
              for (let b = 0; b < kH; b++) {
                const ih = oh * p.stride[1] - p.padding[1] + b * p.dilation[1];
                if (ih < 0 || ih >= H) continue;
                for (let e = 0; e < kW; e++) {
                  const iw = ow * p.stride[2] - p.padding[2] + e * p.dilation[2];
                  if (iw < 0 || iw >= W) continue;
                  const pos = (a * kH + b) * kW + e;
                  const row = conv1d ? k * positions + pos : pos * K + k;
                  const xBase = channelBase + (id * H + ih) * W + iw;
                  for (let t = 0; t < h; t++) acc += vals[row * h + t]! * x[xBase + cols[row * h + t]! * plane]!;
                }
              }
            }
            y[o++] = acc;
          }
        }
      }
    }
  }
  return y;
}
