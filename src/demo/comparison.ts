/**
 * The demo's comparison: from the same dense weights, one-shot magnitude, Wanda and SparseGPT
 * (accuracy with no retraining, per-layer reconstruction error), each after ASP fine-tuning, with
 * and without channel permutation; and SR-STE trained from the same initialisation for the dense +
 * fine-tune epoch budget. Every pruned variant's checkpoint is written, masks included.
 */
import { join } from 'node:path';
import { ASP, type PruneMethod, SrSte, toStoredStateDict } from '../asp/index.js';
import { makeDirectory, saveSafetensors } from '../io/index.js';
import { Adam, type StateDict, type TensorModule, evaluate } from '../nn/index.js';
import { Tensor, manualSeed } from '../tensor/index.js';
import { type FitSetup, fit } from './fit.js';
import { lastEval } from './history.js';
import { oneShotPattern, oneShotPrune } from './one_shot.js';
import type { ComparisonRow, DemoComparison } from './types.js';

export interface ComparisonSetup extends FitSetup {
  /** A fresh model of the demo's architecture. */
  readonly build: () => TensorModule;
  /** The dense model's weights (a copy, taken before any pruning) and its test result. */
  readonly denseState: StateDict;
  readonly dense: { accuracy: number; loss: number; epochs: number };
  readonly calibration: Tensor;
  readonly exampleInput: Tensor;
  readonly epochs: number;
  readonly finetuneEpochs: number;
  readonly lr: number;
  readonly finetuneLr: number;
  readonly seed: number;
  readonly pattern: string;
  /** Run the permuted variants too. */
  readonly permute: boolean;
  readonly out: string;
  readonly say: (line: string) => void;
}

const ONE_SHOT: readonly PruneMethod[] = ['magnitude', 'wanda', 'sparsegpt'];

/** A deep copy, so later in-place updates of the model leave it alone. */
export function copyState(state: StateDict): StateDict {
  return new Map([...state].map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
}

export async function runComparison(s: ComparisonSetup): Promise<{ comparison: DemoComparison; files: string[] }> {
  const pattern = oneShotPattern(s.pattern);
  const dir = join(s.out, 'comparison');
  await makeDirectory(dir);
  const files: string[] = [];
  const notes: string[] = [];
  const save = async (model: TensorModule, name: string): Promise<string> => {
    const path = join(dir, `${name}.safetensors`);
    await saveSafetensors(path, toStoredStateDict(model.stateDict()), { format: 'pt', 'sparse24.pattern': pattern });
    files.push(path);
    return path;
  };
  const rows: ComparisonRow[] = [
    { method: 'dense', permuted: false, oneShot: null, trained: s.dense, layers: [], checkpoint: null, seconds: 0 },
  ];
  for (const permuted of s.permute ? [false, true] : [false]) {
    for (const method of ONE_SHOT) {
      const t0 = performance.now();
      const model = s.build();
      model.loadStateDict(s.denseState);
      s.say(`comparison: one-shot ${method}${permuted ? ' after channel permutation' : ''}`);
      const step = oneShotPrune(model, method, {
        calibration: s.calibration,
        exampleInput: s.exampleInput,
        permute: permuted,
        pattern,
        say: s.say,
      });
      if (permuted && step.permutation?.report.groups.every((g) => g.status !== 'permuted') === true)
        notes.push(`${method}: the permutation search changed no channel; the permuted row equals the plain one`);
      const oneShot = evaluate(model, s.testLoader);
      const optimizer = new Adam(model.parameters(), { lr: s.finetuneLr });
      step.asp.initOptimizerForPruning(optimizer);
      s.say(`comparison: ${method} fine-tuning, ${s.finetuneEpochs} epochs`);
      const history = fit(model, optimizer, s, s.finetuneEpochs);
      const trained = lastEval(history) ?? evaluate(model, s.testLoader);
      rows.push({
        method,
        permuted,
        oneShot: { accuracy: oneShot.accuracy, loss: oneShot.loss },
        trained: { ...trained, epochs: s.finetuneEpochs },
        layers: step.layers.map((l) => ({
          name: l.name,
          method: l.method,
          rows: l.rows,
          reconstructionError: l.reconstructionError,
        })),
        checkpoint: await save(model, `${method}${permuted ? '-permuted' : ''}`),
        seconds: (performance.now() - t0) / 1000,
      });
    }
  }

  // SR-STE: the dense model's initialisation, trained sparse for the whole budget. Its masks move
  // while it trains, so a channel permutation chosen beforehand has nothing to improve.
  const t0 = performance.now();
  manualSeed(s.seed);
  const model = s.build();
  const asp = ASP.initModelForPruning(model, {
    maskCalculator: 'm4n2_1d',
    verbosity: 0,
    logger: () => {},
    allowPermutation: false,
  });
  const optimizer = new Adam(model.parameters(), { lr: s.lr });
  const srSte = SrSte.start(asp, optimizer, { pattern: 'm4n2_1d' });
  const budget = s.epochs + s.finetuneEpochs;
  s.say(`comparison: SR-STE from the dense initialisation, ${budget} epochs`);
  fit(model, optimizer, s, budget);
  srSte.finish();
  const trained = evaluate(model, s.testLoader);
  rows.push({
    method: 'sr-ste',
    permuted: false,
    oneShot: null,
    trained: { accuracy: trained.accuracy, loss: trained.loss, epochs: budget },
    layers: [],
    checkpoint: await save(model, 'sr-ste'),
    seconds: (performance.now() - t0) / 1000,
  });
  notes.push('SR-STE runs without permutation: its masks are recomputed from the dense weights as it trains');
  return {
    comparison: { pattern, calibrationImages: s.calibration.shape[0]!, finetuneEpochs: s.finetuneEpochs, rows, notes },
    files,
  };
}
