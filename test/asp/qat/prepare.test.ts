import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../../src/asp/index.js';
import {
  QatError,
  calibrate,
  exportQuantized,
  prepareQat,
  qatLayers,
  quantizeModel,
  setFakeQuant,
} from '../../../src/asp/qat/index.js';
import { main } from '../../../src/cli/main.js';
import { fromCutlass24, isNM, decompress } from '../../../src/sparse/index.js';
import { loadSafetensors } from '../../../src/io/index.js';
import { Conv2d, Flatten, Linear, ReLU, SGD, Sequential } from '../../../src/nn/index.js';
import { MT19937, Tensor, crossEntropy, randn } from '../../../src/tensor/index.js';
import { capture, withTmp } from '../../cli/helpers.js';

const quiet = { verbosity: 0, allowPermutation: false, logger: () => {} } as const;

function build(seed: number): Sequential {
  const g = new MT19937(seed);
  return new Sequential(
    new Conv2d(16, 16, 1, { generator: g }),
    new Flatten(),
    new Linear(64, 64, { generator: g }),
    new ReLU(),
    new Linear(64, 8, { generator: g }),
  ); // [8, 64]: too few rows for the int8 CUTLASS layout (rows % 16)
}

const input = (seed: number, batch = 4): Tensor => randn([batch, 16, 2, 2], { generator: new MT19937(seed) });

describe('prepareQat', () => {
  it('keeps parameter names and objects, adds fake-quant buffers, and refuses a second prepare', () => {
    const model = build(1);
    const params = model.namedParameters();
    const layers = prepareQat(model);
    expect(layers.map((l) => l.name)).toEqual(['0', '2', '4']);
    expect(model.namedParameters()).toEqual(params);
    const keys = [...model.stateDict().keys()];
    expect(keys.filter((k) => k.startsWith('2.'))).toEqual([
      '2.weight',
      '2.bias',
      '2.input_fake_quant.scale',
      '2.input_fake_quant.zero_point',
      '2.input_fake_quant.min_val',
      '2.input_fake_quant.max_val',
      '2.weight_fake_quant.scale',
      '2.weight_fake_quant.zero_point',
    ]);
    expect(() => prepareQat(model)).toThrow(QatError);
    expect(qatLayers(build(2))).toEqual([]);
  });

  it('with fake quantization off it computes the float model; on, within int8 error of it', () => {
    const float = build(3).eval();
    const model = build(3).eval();
    prepareQat(model);
    const x = input(4);
    calibrate(model, [x], 1);
    setFakeQuant(model, false);
    expect([...model.call(x).data]).toEqual([...float.call(x).data]);
    setFakeQuant(model, true);
    const a = model.call(x).data;
    const b = float.call(x).data;
    const scale = Math.max(...b.map(Math.abs));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(0.05 * scale);
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  });

  it('calibrate observes float activations in eval mode, restores modes, and checks its arguments', () => {
    const model = build(5);
    expect(() => calibrate(model, [input(1)], 1)).toThrow(/prepareQat/);
    const [first] = prepareQat(model, { activation: { observer: 'minmax' } });
    const x = input(6);
    expect(
      calibrate(
        model,
        [
          { x, y: x },
          { x: input(7), y: x },
          { x: input(8), y: x },
        ],
        2,
      ),
    ).toBe(2);
    expect(model.training).toBe(true);
    const all = [...x.data, ...input(7).data];
    expect(first!.inputQuant.minVal.data[0]).toBe(Math.min(...all));
    expect(first!.inputQuant.maxVal.data[0]).toBe(Math.max(...all));
    expect(first!.inputQuant.fakeQuantEnabled).toBe(true);
    expect(() => calibrate(model, [], 1)).toThrow(/no batches/);
    expect(() => calibrate(model, [x], 0)).toThrow(QatError);
  });
});

describe('Sparse-QAT with ASP', () => {
  it('prune → QAT: pruned weights stay zero through QAT steps and the int8 weights are 2:4', () => {
    const model = build(9);
    const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const asp = ASP.initModelForPruning(model, quiet).initOptimizerForPruning(opt);
    asp.computeSparseMasks();
    prepareQat(model);
    calibrate(model, [input(10)], 1);
    const g = new MT19937(11);
    for (let s = 0; s < 3; s++) {
      const x = randn([4, 16, 2, 2], { generator: g });
      const y = new Tensor(
        Float32Array.from({ length: 4 }, (_, i) => (i * 5 + s) % 8),
        [4],
      );
      opt.zeroGrad();
      crossEntropy(model.call(x), y).backward();
      opt.step();
    }
    const report = quantizeModel(model);
    for (const r of report.layers)
      expect([r.name, r.floatIs24, r.int8Is24, r.pattern24Broken]).toEqual([r.name, true, true, false]);
    for (const name of ['0', '2', '4']) {
      const q = report.tensors.get(`${name}.weight`)!;
      expect(q.dtype).toBe('I8');
      expect(isNM(Float32Array.from(q.data as Int8Array), q.shape, 2, 4)).toBe(true);
    }
  });

  it('QAT → computeSparseMasks: masks come from the float master weights (same as the float twin)', () => {
    const qat = build(12);
    const twin = build(12);
    prepareQat(qat);
    qat.call(input(13)); // a training-mode step fills the observers
    const a = ASP.initModelForPruning(qat, quiet);
    const b = ASP.initModelForPruning(twin, quiet);
    a.computeSparseMasks();
    b.computeSparseMasks();
    expect(a.sparseParameterNames()).toEqual(['0.weight', '2.weight', '4.weight']);
    a.sparseParameters.forEach((sp, i) => expect([...sp.mask.data]).toEqual([...b.sparseParameters[i]!.mask.data]));
    const report = quantizeModel(qat);
    expect(report.layers.every((r) => r.int8Is24)).toBe(true);
  });

  it('an asymmetric weight quantizer with nonzero zero points breaks the int8 pattern: flagged, and sparse-24 refuses', () => {
    const model = build(14);
    ASP.initModelForPruning(model, quiet).computeSparseMasks();
    prepareQat(model, { weight: { scheme: 'asymmetric' } });
    const r = quantizeModel(model).layers.find((l) => l.name === '2')!;
    expect(r.floatIs24).toBe(true);
    expect(r.nonzeroZeroPoints).toBeGreaterThan(0);
    expect(r.int8Is24).toBe(false);
    expect(r.pattern24Broken).toBe(true);
    expect(r.reason).toMatch(/nonzero zero point.*use scheme 'symmetric'/);
    expect(() => quantizeModel(model, { layout: 'cutlass-24' })).toThrow(QatError);
    expect(() => quantizeModel(model, { layout: 'cutlass-24' })).toThrow(/layer '0'.*zero point/);
  });

  it('exports int8 weights, scales and the int8 CUTLASS 2:4 layout; check --strict passes', async () => {
    const model = build(15);
    ASP.initModelForPruning(model, quiet).computeSparseMasks();
    prepareQat(model);
    calibrate(model, [input(16)], 1);
    await withTmp(async (dir) => {
      const path = join(dir, 'int8.safetensors');
      const res = await exportQuantized(model, path, { layout: 'cutlass-24' });
      expect(res.layers.map((l) => [l.name, l.stored])).toEqual([
        ['0', 'int8'],
        ['2', 'int8-cutlass-24'],
        ['4', 'int8'],
      ]);
      const file = await loadSafetensors(path);
      expect(file.tensors.get('2.weight.cutlass_24_values')!.dtype).toBe('I8');
      expect(file.tensors.get('2.weight.cutlass_24_meta')!.dtype).toBe('I32');
      expect(file.tensors.get('2.weight_scale')!.shape).toEqual([64]);
      expect(file.tensors.get('2.input_scale')!.dtype).toBe('F32');
      expect([...file.tensors.keys()].some((k) => k.includes('fake_quant'))).toBe(false);
      // The CUTLASS int8 form decodes to the same integers as the dense int8 export.
      const dense = quantizeModel(model).tensors.get('2.weight')!;
      const rec = {
        '2.weight.cutlass_24_values': file.tensors.get('2.weight.cutlass_24_values')!,
        '2.weight.cutlass_24_meta': file.tensors.get('2.weight.cutlass_24_meta')!,
      };
      expect([...decompress(fromCutlass24('2.weight', rec as Parameters<typeof fromCutlass24>[1]))]).toEqual([
        ...Float32Array.from(dense.data as Int8Array),
      ]);
      // Dequantized weights equal the eval-mode fake-quantized ones.
      const l = qatLayers(model)[1]!;
      const s = file.tensors.get('2.weight_scale')!.data as Float32Array;
      const fq = l.weightQuant.call(l.module.weight).data;
      const qd = dense.data as Int8Array;
      for (let i = 0; i < qd.length; i++)
        expect(Math.fround(qd[i]! * Math.fround(s[Math.floor(i / 64)]!))).toBeCloseTo(fq[i]!, 6);

      const c = capture();
      expect(await main(['check', path, '--strict'], c.io)).toBe(0);
      const j = capture();
      await main(['check', path, '--json'], j.io);
      const checked = (
        JSON.parse(j.out.join('')) as { tensors: { name: string; dtype: string; isNM: boolean }[] }
      ).tensors.filter((t) => t.name.endsWith('.weight'));
      expect(checked.map((t) => [t.name, t.dtype, t.isNM])).toEqual([
        ['2.weight', 'I8', true],
        ['0.weight', 'I8', true],
        ['4.weight', 'I8', true],
      ]);
    });
  });
});
