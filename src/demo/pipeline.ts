/**
 * `runDemo`: apex's ASP recipe end to end on a small CNN — dense training, channel permutation and
 * 2:4 masks, sparse fine-tuning, compressed inference checked against the masked dense model,
 * checkpoint and compressed export, and a report folder.
 */
import { join } from 'node:path';
import { exportCompressed, planSparseInference, toSparseInference, toStoredStateDict } from '../asp/index.js';
import { makeDirectory, saveSafetensors } from '../io/index.js';
import { resolvePattern } from '../sparse/index.js';
import { DataLoader } from '../nn/data/index.js';
import { Adam, type EpochResult, type TensorModule, evaluate, exportOnnx } from '../nn/index.js';
import {
  Tensor,
  ValueError,
  getBackend,
  joinName,
  getGpuMode,
  manualSeed,
  setBackend,
  setGpuMode,
} from '../tensor/index.js';
import { compareModels, forwardTimes } from './compare.js';
import { copyState, runComparison } from './comparison.js';
import { type DemoData, loadDemoData } from './data.js';
import { fit } from './fit.js';
import { lastEval, meanSeconds, points } from './history.js';
import { demoModel } from './model.js';
import { calibrationBatch, oneShotPattern } from './one_shot.js';
import { RECIPES } from './recipes.js';
import { writeReport } from './report.js';
import { sparsify } from './sparsify.js';
import type { DemoComparison, DemoHooks, DemoOptions, DemoResult } from './types.js';

const TIMING_RUNS = 5;
const TIMING_BATCH = 256;

/** The first `n` test images as one batch. */
function testBatch(data: DemoData, n: number): Tensor {
  const x = data.test.images;
  const count = Math.min(n, x.shape[0]!);
  const per = x.size / x.shape[0]!;
  return new Tensor(x.data.slice(0, count * per), [count, ...x.shape.slice(1)]);
}

/** Runs the whole demo; returns what `report.json` holds. Restores the kernel backend it found. */
export async function runDemo(options: DemoOptions = {}, hooks: DemoHooks = {}): Promise<DemoResult> {
  const started = performance.now();
  const dataset = options.dataset ?? 'digits';
  const architecture = options.model ?? 'cnn';
  const method = options.method ?? 'magnitude';
  const compare = options.compare ?? architecture === 'vit';
  const recipe = RECIPES[architecture][dataset];
  const pattern = options.pattern ?? 'm4n2_1d';
  const permute = options.permute ?? true;
  const seed = options.seed ?? 0;
  const out = options.out ?? 'sparse24-demo';
  const epochs = options.epochs ?? recipe.epochs;
  const finetuneEpochs = options.finetuneEpochs ?? recipe.finetuneEpochs;
  const say = hooks.onProgress ?? ((): void => {});
  const notes: string[] = [];

  // Fail on a bad pattern now, not after the dense training.
  resolvePattern(pattern);
  if (compare || method === 'wanda' || method === 'sparsegpt') oneShotPattern(pattern);
  const calibrationImages = options.calibrationImages ?? 256;
  if (!Number.isInteger(calibrationImages) || calibrationImages < 1)
    throw new ValueError(`demo: calibrationImages must be a positive integer, got ${calibrationImages}`);
  const previous = { backend: getBackend(), gpuMode: getGpuMode() };
  if (options.gpuMode !== undefined) setGpuMode(options.gpuMode);
  if (options.backend !== undefined) setBackend(options.backend);
  try {
    const data = await loadDemoData(dataset, options.dataDir, options.trainLimit ?? recipe.trainLimit);
    const trainLoader = new DataLoader(data.train, { batchSize: recipe.batchSize, shuffle: true, seed });
    const testLoader = new DataLoader(data.test, { batchSize: 500 });
    say(
      `${dataset}: ${data.train.length} training / ${data.test.length} test images, backend ${getBackend()}${getBackend() === 'gpu' ? ` (${getGpuMode()})` : ''}`,
    );

    const fitting = { trainLoader, testLoader, stream: hooks.stream };

    // 1. Dense training (SR-STE trains sparse from the same initialisation instead; the
    // comparison still needs the dense model).
    manualSeed(seed);
    const build = (): TensorModule => demoModel(architecture, data.imageSize);
    let model = build();
    const dense = { accuracy: Number.NaN, loss: Number.NaN };
    let denseHistory: EpochResult[] = [];
    if (method !== 'sr-ste' || compare) {
      const denseOpt = new Adam(model.parameters(), { lr: recipe.lr });
      say(`dense training (${architecture}): ${epochs} epochs`);
      denseHistory = fit(model, denseOpt, fitting, epochs);
      Object.assign(dense, lastEval(denseHistory) ?? evaluate(model, testLoader));
    }
    const denseState = copyState(model.stateDict());
    if (method !== 'sr-ste' || compare) hooks.onDenseTrained?.(denseState);
    if (method === 'sr-ste') {
      manualSeed(seed);
      model = build();
      notes.push('sr-ste trains the 2:4 model from the initialisation: the dense row is a separately trained model');
    }
    const calibration = calibrationBatch(data.train, calibrationImages);
    const exampleInput = testBatch(data, 2);

    // 2–3. Prune (or train sparse), then fine-tune with ASP's masked optimizer.
    const step = sparsify(model, denseState, {
      ...fitting,
      method,
      pattern,
      permute: method !== 'sr-ste' && permute,
      calibration,
      exampleInput,
      lr: recipe.lr,
      finetuneLr: recipe.finetuneLr,
      finetuneEpochs,
      srSteEpochs: epochs + finetuneEpochs,
      hooks,
      say,
    });
    const { asp, permutation, pruned, layers, history: sparseHistory } = step;
    const names = asp.sparseParameterNames();
    const report = permutation?.report ?? null;
    let maskedCount = 0;
    let zeroCount = 0;
    for (const sp of asp.sparseParameters) {
      maskedCount += sp.mask.size;
      for (const v of sp.mask.data) if (v === 0) zeroCount++;
    }
    const finetuned = method === 'sr-ste' ? pruned : (lastEval(sparseHistory) ?? evaluate(model, testLoader));

    // 4. Compressed inference, checked against the masked dense model.
    model.eval();
    const plan = planSparseInference(model).filter((p) => names.includes(joinName(p.name, 'weight')));
    const converted = plan.filter((p) => p.convert).map((p) => p.name);
    let sparseModel: TensorModule | null = null;
    let sparseInference: DemoResult['sparseInference'];
    if (converted.length === 0) {
      const why = plan.map((p) => `${p.name}: ${p.reason}`).join('; ');
      sparseInference = {
        accuracy: null,
        maxAbsDiff: null,
        convertedLayers: [],
        note: `no layer converts to compressed 2:4 under pattern '${pattern}' (${why})`,
      };
      notes.push(`compressed inference skipped: pattern '${pattern}' is not 2:4 along input channels`);
    } else {
      sparseModel = toSparseInference(model);
      const { maxAbsDiff: diff, accuracy: acc } = compareModels(model, sparseModel, testLoader);
      const dense = plan.filter((p) => !p.convert);
      sparseInference = {
        accuracy: acc,
        maxAbsDiff: diff,
        convertedLayers: converted,
        note: dense.length === 0 ? null : `kept dense: ${dense.map((p) => `${p.name} (${p.reason})`).join('; ')}`,
      };
      say(`compressed inference: ${converted.length} layers, max |dense − sparse| = ${diff.toExponential(2)}`);
    }
    const batch = testBatch(data, TIMING_BATCH);
    const [denseMs, sparseMs] = forwardTimes(sparseModel === null ? [model] : [model, sparseModel], batch, TIMING_RUNS);

    // 5. Files (and the comparison, which writes a checkpoint per variant).
    await makeDirectory(out); // a FileWriteError naming `out`, not Node's raw mkdir error
    const files: string[] = [];
    let comparison: DemoComparison | null = null;
    if (compare) {
      const c = await runComparison({
        ...fitting,
        build,
        denseState,
        dense: { ...dense, epochs },
        calibration,
        exampleInput,
        epochs,
        finetuneEpochs,
        lr: recipe.lr,
        finetuneLr: recipe.finetuneLr,
        seed,
        pattern,
        permute,
        out,
        say,
      });
      comparison = c.comparison;
      files.push(...c.files);
    }
    const checkpoint = join(out, 'checkpoint.safetensors');
    await saveSafetensors(checkpoint, toStoredStateDict(model.stateDict()), {
      format: 'pt',
      'sparse24.pattern': pattern,
      'sparse24.dataset': dataset,
      'sparse24.input_normalization': JSON.stringify(data.normalization),
    });
    files.push(checkpoint);
    // The pruned dense model (its zeros are what TensorRT's --sparsity=enable looks for), batch 1.
    const onnxPath = join(out, 'model.onnx');
    await exportOnnx(model, onnxPath, { exampleInput: testBatch(data, 1) });
    files.push(onnxPath);
    if (converted.length > 0) {
      // compressed-tensors' folder: model.safetensors + config.json, as compressed-tensors <= 0.14 loads it.
      const ex = await exportCompressed(model, join(out, 'compressed-tensors'), { format: 'sparse-24-bitmask' });
      if (ex.dense.length > 0)
        notes.push(
          `compressed export stores ${ex.dense.map((d) => d.name).join(', ')} dense with its mask (${ex.dense[0]!.reason})`,
        );
      files.push(...ex.files);
    }
    const params = model.parameters().reduce((s, p) => s + p.size, 0);
    const result: DemoResult = {
      dataset,
      architecture,
      method,
      pattern,
      backend: getBackend(),
      seed,
      permute,
      model: { parameters: params, prunable: maskedCount, sparseLayers: names },
      data: { train: data.train.length, test: data.test.length },
      dense: { accuracy: dense.accuracy, loss: dense.loss, epochs, epochSeconds: meanSeconds(denseHistory) },
      pruned: {
        accuracy: pruned.accuracy,
        loss: pruned.loss,
        sparsity: maskedCount === 0 ? 0 : zeroCount / maskedCount,
      },
      finetuned: {
        accuracy: finetuned.accuracy,
        loss: finetuned.loss,
        epochs: finetuneEpochs,
        epochSeconds: meanSeconds(sparseHistory),
      },
      sparseInference,
      magnitude: {
        default: layers.reduce((s, l) => s + l.default, 0),
        permuted: layers.reduce((s, l) => s + l.permuted, 0),
        layers,
        // Only groups that hold a sparse weight: the spatial and output axes are pinned by design.
        skipped:
          report === null
            ? []
            : report.skipped
                .filter((s) => s.params.some((p) => names.includes(p)))
                .map((s) => ({ group: s.group, reason: s.reason, params: s.params })),
        searchSeconds: permutation?.seconds ?? 0,
      },
      timing: {
        batch: batch.shape[0]!,
        runs: TIMING_RUNS,
        denseForwardMs: denseMs!,
        sparseForwardMs: sparseMs ?? null,
      },
      history: [...points(denseHistory, 'dense', 0), ...points(sparseHistory, 'sparse', denseHistory.length)],
      comparison,
      notes,
      seconds: 0,
      files,
      inputNormalization: { ...data.normalization },
    };
    const written = await writeReport(out, result, () => (performance.now() - started) / 1000);
    return written;
  } finally {
    setBackend(previous.backend);
    if (options.gpuMode !== undefined) setGpuMode(previous.gpuMode);
  }
}
