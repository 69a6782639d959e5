import type { Triple } from '../types.js';

/**
 * The window geometry every spatial gpu.js kernel (conv, pooling) reads from `this.constants`:
 * input size, kernel taps, stride, padding, dilation and output size, each split into its D, H
 * and W parts because gpu.js constants are scalars.
 */
export type WindowConstants = {
  D: number;
  H: number;
  W: number;
  KD: number;
  KH: number;
  KW: number;
  SD: number;
  SH: number;
  SW: number;
  PD: number;
  PH: number;
  PW: number;
  DD: number;
  DH: number;
  DW: number;
  OD: number;
  OH: number;
  OW: number;
};

export interface WindowParams {
  inSize: Triple;
  kernelSize: Triple;
  stride: Triple;
  padding: Triple;
  dilation: Triple;
  outSize: Triple;
}

export function windowConstants(p: WindowParams): WindowConstants {
  return {
    D: p.inSize[0],
    H: p.inSize[1],
    W: p.inSize[2],
    KD: p.kernelSize[0],
    KH: p.kernelSize[1],
    KW: p.kernelSize[2],
    SD: p.stride[0],
    SH: p.stride[1],
    SW: p.stride[2],
    PD: p.padding[0],
    PH: p.padding[1],
    PW: p.padding[2],
    DD: p.dilation[0],
    DH: p.dilation[1],
    DW: p.dilation[2],
    OD: p.outSize[0],
    OH: p.outSize[1],
    OW: p.outSize[2],
  };
}

/** Elements of a [D, H, W] volume. */
export const volume = (t: readonly number[]): number => t[0]! * t[1]! * t[2]!;
