/**
 * The demo's sparsification step, per method:
 * - magnitude (apex's recipe, unchanged): ASP's permutation search and masks in computeSparseMasks;
 * - wanda / sparsegpt: permuteModel (when permuting), then pruneOneShot on calibration images;
 * both then fine-tune with ASP's masked optimizer;
 * - sr-ste: the model (at its initialisation) trains sparse for the dense + fine-tune budget.
 */
import { ASP, type AspPermutation, SrSte } from '../asp/index.js';
import { Adam, type EpochResult, type TensorModule, evaluate } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import type { StateDict } from '../nn/index.js';
import { type FitSetup, fit } from './fit.js';
import { keptUnderPattern, maskedMagnitude, totalMagnitude } from './magnitude.js';
import { oneShotPrune } from './one_shot.js';
import { SearchProgress } from './search_progress.js';
import type { DemoHooks, DemoMethod, LayerMagnitudeRow } from './types.js';

export interface SparsifySetup extends FitSetup {
  readonly method: DemoMethod;
  readonly pattern: string;
  readonly permute: boolean;
  readonly calibration: Tensor;
  readonly exampleInput: Tensor;
  readonly lr: number;
  readonly finetuneLr: number;
  readonly finetuneEpochs: number;
  /** SR-STE's epochs (the dense + fine-tune budget). */
  readonly srSteEpochs: number;
  readonly hooks: DemoHooks;
  readonly say: (line: string) => void;
}

export interface Sparsified {
  readonly asp: ASP;
  readonly permutation: AspPermutation | null;
  /** Right after pruning (SR-STE: after its training, the masks fixed). */
  readonly pruned: { accuracy: number; loss: number };
  readonly layers: LayerMagnitudeRow[];
  /** Fine-tuning (or SR-STE training) history. */
  readonly history: EpochResult[];
}

function magnitudeRows(
  asp: ASP,
  before: StateDict,
  pattern: string,
  permutation: AspPermutation | null,
): LayerMagnitudeRow[] {
  const report = permutation?.report ?? null;
  return asp.sparseParameters.map((sp, i) => {
    const name = asp.sparseParameterNames()[i]!;
    const dense = before.get(name)!;
    return {
      name,
      dense: totalMagnitude(dense.data),
      default: keptUnderPattern(dense, pattern),
      permuted: maskedMagnitude(sp.param.data, sp.mask.data),
      touched: report !== null && report.groups.some((g) => g.status === 'permuted' && g.sparse.includes(name)),
    };
  });
}

/** Runs `s.method` on `model`; `before` is a copy of its dense state (for the magnitude rows). */
export function sparsify(model: TensorModule, before: StateDict, s: SparsifySetup): Sparsified {
  if (s.method === 'sr-ste') {
    const asp = ASP.initModelForPruning(model, {
      maskCalculator: s.pattern,
      verbosity: 0,
      logger: () => {},
      allowPermutation: false,
    });
    const optimizer = new Adam(model.parameters(), { lr: s.lr });
    const srSte = SrSte.start(asp, optimizer, { pattern: s.pattern });
    s.say(`SR-STE training: ${s.srSteEpochs} epochs, masks recomputed every step`);
    // The mask flip rate (Hu et al. 2024) per epoch: how many mask entries changed per recomputation.
    const history = fit(model, optimizer, s, s.srSteEpochs, (epoch) =>
      s.say(`SR-STE epoch ${epoch + 1}: mask flip rate ${(srSte.flipRate() * 100).toFixed(3)}%`),
    );
    srSte.finish();
    return { asp, permutation: null, pruned: evaluate(model, s.testLoader), layers: [], history };
  }
  let asp: ASP;
  let permutation: AspPermutation | null;
  const sparseOpt = new Adam(model.parameters(), { lr: s.finetuneLr });
  if (s.method === 'magnitude') {
    const bar = new SearchProgress(s.hooks.stream);
    asp = ASP.initModelForPruning(model, {
      maskCalculator: s.pattern,
      verbosity: 0,
      allowPermutation: s.permute,
      exampleInput: s.exampleInput,
      permutation: { perLayerGuard: true, onProgress: (e) => bar.update(e.group, e.groups, e.status) },
      logger: (line) => s.say(`asp: ${line}`),
    });
    asp.initOptimizerForPruning(sparseOpt);
    s.say(`pruning with ${s.pattern}${s.permute ? ' after a channel permutation search' : ' (no permutation)'}`);
    asp.computeSparseMasks();
    permutation = asp.lastPermutation();
  } else {
    s.say(
      `one-shot ${s.method} on ${s.calibration.shape[0]} calibration images${s.permute ? ', after permutation' : ''}`,
    );
    const step = oneShotPrune(model, s.method, { ...s, say: s.say });
    asp = step.asp;
    permutation = step.permutation;
    asp.initOptimizerForPruning(sparseOpt);
  }
  if (permutation !== null) s.hooks.onPermutation?.(permutation);
  const pruned = evaluate(model, s.testLoader);
  const layers = magnitudeRows(asp, before, s.pattern, permutation);
  s.say(`sparse fine-tuning: ${s.finetuneEpochs} epochs`);
  const history = fit(model, sparseOpt, s, s.finetuneEpochs);
  return { asp, permutation, pruned, layers, history };
}
