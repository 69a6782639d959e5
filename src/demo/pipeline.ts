/**
 * `runDemo`: apex's ASP recipe end to end on a small CNN — dense training, channel permutation and
 * 2:4 masks, sparse fine-tuning, compressed inference checked against the masked dense model,
 * checkpoint and compressed export, and a report folder.
 */
import { join } from 'node:path';
import { ASP, exportCompressed, planSparseInference, toSparseInference, toStoredStateDict } from '../asp/index.js';
import { makeDirectory, saveSafetensors } from '../io/index.js';
import { resolvePattern } from '../sparse/index.js';
import { DataLoader } from '../nn/data/index.js';
import {
  Adam,
  CosineAnnealingLR,
  type EpochResult,
  type TensorModule,
  evaluate,
  exportOnnx,
  train,
} from '../nn/index.js';
import { Tensor, getBackend, joinName, getGpuMode, manualSeed, setBackend, setGpuMode } from '../tensor/index.js';
import { compareModels, forwardTimes } from './compare.js';
import { type DemoData, loadDemoData } from './data.js';
import { keptUnderPattern, maskedMagnitude, totalMagnitude } from './magnitude.js';
import { demoCnn } from './model.js';
import { writeReport } from './report.js';
import { SearchProgress } from './search_progress.js';
import type { DemoHooks, DemoOptions, DemoResult, EpochPoint, LayerMagnitudeRow } from './types.js';

/** Per dataset: epochs, batch size and learning rates that reach the README's accuracy figures. */
const RECIPES = {
  digits: { epochs: 4, finetuneEpochs: 3, batchSize: 16, lr: 0.01, finetuneLr: 0.002 },
  'fashion-mnist': { epochs: 3, finetuneEpochs: 1, batchSize: 32, lr: 0.004, finetuneLr: 0.001 },
} as const;

const TIMING_RUNS = 5;
const TIMING_BATCH = 256;

function points(history: readonly EpochResult[], phase: EpochPoint['phase'], offset: number): EpochPoint[] {
  return history.map((h, i) => ({
    phase,
    epoch: offset + i + 1,
    trainLoss: h.trainLoss,
    testLoss: h.testLoss ?? Number.NaN,
    testAccuracy: h.testAccuracy ?? Number.NaN,
    seconds: h.seconds,
  }));
}

/** The test loss and accuracy `train` measured after its last epoch (saves a pass over the test set). */
function lastEval(history: readonly EpochResult[]): { loss: number; accuracy: number } | null {
  const last = history.at(-1);
  return last?.testLoss === undefined || last.testAccuracy === undefined
    ? null
    : { loss: last.testLoss, accuracy: last.testAccuracy };
}

function meanSeconds(history: readonly EpochResult[]): number {
  return history.length === 0 ? 0 : history.reduce((s, h) => s + h.seconds, 0) / history.length;
}

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
  const recipe = RECIPES[dataset];
  const pattern = options.pattern ?? 'm4n2_1d';
  const permute = options.permute ?? true;
  const seed = options.seed ?? 0;
  const out = options.out ?? 'sparse24-demo';
  const epochs = options.epochs ?? recipe.epochs;
  const finetuneEpochs = options.finetuneEpochs ?? recipe.finetuneEpochs;
  const say = hooks.onProgress ?? ((): void => {});
  const progress = hooks.stream === undefined ? { quiet: true } : { progress: { stream: hooks.stream } };
  const notes: string[] = [];

  // Fail on a bad pattern now, not after the dense training.
  resolvePattern(pattern);
  const previous = { backend: getBackend(), gpuMode: getGpuMode() };
  if (options.gpuMode !== undefined) setGpuMode(options.gpuMode);
  if (options.backend !== undefined) setBackend(options.backend);
  try {
    const data = await loadDemoData(dataset, options.dataDir, options.trainLimit);
    const trainLoader = new DataLoader(data.train, { batchSize: recipe.batchSize, shuffle: true, seed });
    const testLoader = new DataLoader(data.test, { batchSize: 500 });
    say(
      `${dataset}: ${data.train.length} training / ${data.test.length} test images, backend ${getBackend()}${getBackend() === 'gpu' ? ` (${getGpuMode()})` : ''}`,
    );

    // 1. Dense training.
    manualSeed(seed);
    const model = demoCnn(data.imageSize);
    const denseOpt = new Adam(model.parameters(), { lr: recipe.lr });
    say(`dense training: ${epochs} epochs`);
    const denseHistory = train({
      model,
      optimizer: denseOpt,
      trainLoader,
      testLoader,
      epochs,
      ...progress,
      scheduler: new CosineAnnealingLR(denseOpt, Math.max(1, epochs * trainLoader.length)),
      schedulerStep: 'batch',
    });
    const dense = lastEval(denseHistory) ?? evaluate(model, testLoader);

    // 2. Permute channels and compute the masks (apex's order: model, optimizer, masks).
    const bar = new SearchProgress(hooks.stream);
    const asp = ASP.initModelForPruning(model, {
      maskCalculator: pattern,
      verbosity: 0,
      allowPermutation: permute,
      exampleInput: testBatch(data, 2),
      permutation: { perLayerGuard: true, onProgress: (e) => bar.update(e.group, e.groups, e.status) },
      logger: (line) => say(`asp: ${line}`),
    });
    const names = asp.sparseParameterNames();
    const dense24 = new Map(
      asp.sparseParameters.map((sp, i) => [
        names[i]!,
        { dense: totalMagnitude(sp.param.data), kept: keptUnderPattern(sp.param, pattern) },
      ]),
    );
    const sparseOpt = new Adam(model.parameters(), { lr: recipe.finetuneLr });
    asp.initOptimizerForPruning(sparseOpt);
    say(`pruning with ${pattern}${permute ? ' after a channel permutation search' : ' (no permutation)'}`);
    asp.computeSparseMasks();
    const permutation = asp.lastPermutation();
    if (permutation !== null) hooks.onPermutation?.(permutation);
    const report = permutation?.report ?? null;
    const pruned = evaluate(model, testLoader);
    const layers: LayerMagnitudeRow[] = asp.sparseParameters.map((sp, i) => {
      const d = dense24.get(names[i]!)!;
      const touched =
        report !== null && report.groups.some((g) => g.status === 'permuted' && g.sparse.includes(names[i]!));
      return {
        name: names[i]!,
        dense: d.dense,
        default: d.kept,
        permuted: maskedMagnitude(sp.param.data, sp.mask.data),
        touched,
      };
    });
    let maskedCount = 0;
    let zeroCount = 0;
    for (const sp of asp.sparseParameters) {
      maskedCount += sp.mask.size;
      for (const v of sp.mask.data) if (v === 0) zeroCount++;
    }

    // 3. Sparse fine-tuning: ASP's optimizer hooks keep the pruned weights at zero.
    say(`sparse fine-tuning: ${finetuneEpochs} epochs`);
    const sparseHistory = train({
      model,
      optimizer: sparseOpt,
      trainLoader,
      testLoader,
      epochs: finetuneEpochs,
      ...progress,
      scheduler: new CosineAnnealingLR(sparseOpt, Math.max(1, finetuneEpochs * trainLoader.length)),
      schedulerStep: 'batch',
    });
    const finetuned = lastEval(sparseHistory) ?? evaluate(model, testLoader);

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

    // 5. Files.
    await makeDirectory(out); // a FileWriteError naming `out`, not Node's raw mkdir error
    const files: string[] = [];
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
