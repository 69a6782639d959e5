import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FormatError, onnxLayerWeights, parseOnnx, serializeOnnx } from '../../src/io/index.js';
import { modelOf, node, onnx, tensorProtoFrom, valueInfo } from '../../src/io/onnx/index.js';

type Ort = typeof import('onnxruntime-node');

/** x [2, 4] → Gemm(W [3, 4], transB) → MatMul(M [3, 2]); Conv(K [2, 4, 1, 1]) on a side input. */
function sample(): Uint8Array {
  const w = Float32Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 0 : i - 5));
  const m = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
  const k = Float32Array.from({ length: 8 }, (_, i) => i - 3);
  return serializeOnnx(
    modelOf({
      name: 'sample',
      node: [
        node('Gemm', ['x', 'W'], ['h'], { transB: 1, alpha: { float: 1 } }, 'fc1'),
        node('MatMul', ['h', 'M'], ['y'], {}, 'fc2'),
        node('Conv', ['img', 'K'], ['z'], { kernel_shape: [1, 1] }, 'conv'),
      ],
      initializer: [
        tensorProtoFrom('W', { dtype: 'F32', shape: [3, 4], data: w }),
        tensorProtoFrom('M', { dtype: 'F32', shape: [3, 2], data: m }),
        tensorProtoFrom('K', { dtype: 'F32', shape: [2, 4, 1, 1], data: k }),
      ],
      input: [valueInfo('x', ['batch', 4]), valueInfo('img', [1, 4, 2, 2])],
      output: [valueInfo('y', ['batch', 2]), valueInfo('z', [1, 2, 2, 2])],
    }),
  );
}

describe('ONNX model files (onnx-proto)', () => {
  it('round-trips nodes, attributes, opsets and initializers', () => {
    const m = parseOnnx(sample(), 'sample.onnx');
    expect(m.opsets.get('')).toBe(17);
    expect(m.irVersion).toBe(8);
    expect(m.nodes.map((n) => `${n.name}:${n.opType}`)).toEqual(['fc1:Gemm', 'fc2:MatMul', 'conv:Conv']);
    expect(m.nodes[0]!.attributes.get('transB')).toEqual({ kind: 'int', value: 1 });
    expect(m.nodes[0]!.attributes.get('alpha')).toEqual({ kind: 'float', value: 1 });
    expect(m.nodes[2]!.attributes.get('kernel_shape')).toEqual({ kind: 'ints', value: [1, 1] });
    expect(m.inputs).toEqual(['x', 'img']);
    const w = m.initializers.get('W')!;
    expect(w.dtype).toBe('F32');
    expect(w.shape).toEqual([3, 4]);
    expect([...w.data]).toEqual([0, -4, -3, 0, -1, 0, 0, 2, 3, 0, 5, 6]);
  });

  it('is what onnxruntime runs', async () => {
    const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
    const session = await ort.InferenceSession.create(sample());
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, -1, 0, 1, 0]), [2, 4]);
    const img = new ort.Tensor('float32', new Float32Array(16).fill(1), [1, 4, 2, 2]);
    const out = await session.run({ x, img });
    // h = x·Wᵀ: row 0 = [0·1 - 4·2 - 3·3 + 0, -1 + 0 + 0 + 8, 3 + 0 + 15 + 24] = [-17, 7, 42]
    // y = h·M with M = [[-1, -0.5], [0, 0.5], [1, 1.5]]: [17 + 42, 8.5 + 3.5 + 63] = [59, 75]
    expect([...(out.y!.data as Float32Array)].slice(0, 2)).toEqual([59, 75]);
    // Conv 1×1 over ones: out channel 0 = -3 - 2 - 1 + 0 = -6, channel 1 = 1 + 2 + 3 + 4 = 10.
    expect([...(out.z!.data as Float32Array)]).toEqual([-6, -6, -6, -6, 10, 10, 10, 10]);
  });

  it('finds layer weights in [out, in] order: Gemm(transB) as is, MatMul transposed, Conv KCRS', () => {
    const ws = onnxLayerWeights(parseOnnx(sample(), 's'));
    expect(ws.map((w) => [w.name, w.op, w.node, w.transposed, w.tensor.shape])).toEqual([
      ['W', 'Gemm', 'fc1', false, [3, 4]],
      ['M', 'MatMul', 'fc2', true, [2, 3]],
      ['K', 'Conv', 'conv', false, [2, 4, 1, 1]],
    ]);
    expect([...ws[1]!.tensor.data]).toEqual([-1, 0, 1, -0.5, 0.5, 1.5]);
  });

  it('follows a DequantizeLinear to its int8 initializer (QDQ models)', () => {
    const q = Int8Array.from([0, 0, 3, -4, 5, 0, 0, 1]);
    const bytes = serializeOnnx(
      modelOf({
        node: [node('DequantizeLinear', ['Wq', 's'], ['W']), node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')],
        initializer: [
          tensorProtoFrom('Wq', { dtype: 'I8', shape: [2, 4], data: q }),
          tensorProtoFrom('s', { dtype: 'F32', shape: [], data: Float32Array.from([0.1]) }),
        ],
        input: [valueInfo('x', [1, 4])],
        output: [valueInfo('y', [1, 2])],
      }),
    );
    const [w] = onnxLayerWeights(parseOnnx(bytes, 'q'));
    expect(w!.name).toBe('Wq');
    expect(w!.dequantizedBy).toBe('#0');
    expect(w!.tensor.dtype).toBe('I8');
  });

  it('reads float_data and int32_data initializers, and refuses lying or external ones', () => {
    const model = (t: object): Uint8Array =>
      serializeOnnx(modelOf({ node: [], initializer: [t], input: [], output: [] }));
    const floats = parseOnnx(model({ name: 'f', dataType: 1, dims: [2], floatData: [1.5, -2] }), 'f');
    expect([...floats.initializers.get('f')!.data]).toEqual([1.5, -2]);
    const halves = parseOnnx(model({ name: 'h', dataType: 10, dims: [1], int32Data: [0x3c00] }), 'h');
    expect(halves.initializers.get('h')).toEqual({ dtype: 'F16', shape: [1], data: Uint16Array.from([0x3c00]) });
    expect(() => parseOnnx(model({ name: 'w', dataType: 1, dims: [4], rawData: new Uint8Array(8) }), 'a.onnx')).toThrow(
      /a\.onnx: initializer "w": shape \[4\] of F32 needs 16 bytes, raw_data holds 8/,
    );
    expect(() => parseOnnx(model({ name: 'w', dataType: 1, dims: [2 ** 40, 2 ** 40] }), 'b.onnx')).toThrow(FormatError);
    expect(() =>
      parseOnnx(
        model({
          name: 'e',
          dataType: 1,
          dims: [1],
          dataLocation: 1,
          externalData: [{ key: 'location', value: 'w.bin' }],
        }),
        'e.onnx',
      ),
    ).toThrow(/external file/);
    expect(() => parseOnnx(model({ name: 's', dataType: 8, dims: [1] }), 's.onnx')).toThrow(/STRING is not supported/);
  });

  it('refuses bytes that are not an ONNX model, naming the file', () => {
    expect(() => parseOnnx(new TextEncoder().encode('{"not": "onnx"}'), 'x.onnx')).toThrow(FormatError);
    expect(() => parseOnnx(new Uint8Array(0), 'empty.onnx')).toThrow(/empty\.onnx: the ONNX model has no graph/);
    const noOpset = onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g' } }).finish();
    expect(() => parseOnnx(noOpset, 'n.onnx')).toThrow(/imports no opset/);
  });
});
