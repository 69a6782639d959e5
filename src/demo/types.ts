/** What `runDemo` takes and returns: the shape of `report.json` and of `sparse24 demo --json`. */
import type { AspPermutation } from '../asp/index.js';
import type { ProgressStream } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';

export type DemoDataset = 'digits' | 'fashion-mnist';
export const DEMO_DATASETS: readonly DemoDataset[] = ['digits', 'fashion-mnist'];

export type DemoModel = 'cnn' | 'vit';
export const DEMO_MODELS: readonly DemoModel[] = ['cnn', 'vit'];

/** How the model becomes 2:4: magnitude is ASP's recipe; wanda/sparsegpt prune one-shot on calibration rows. */
export type DemoMethod = 'magnitude' | 'wanda' | 'sparsegpt' | 'sr-ste';
export const DEMO_METHODS: readonly DemoMethod[] = ['magnitude', 'wanda', 'sparsegpt', 'sr-ste'];

export interface DemoOptions {
  dataset?: DemoDataset;
  /** 'cnn' (default) or 'vit' (a small Vision Transformer). */
  model?: DemoModel;
  /** Default 'magnitude' (ASP: dense, prune, fine-tune). sr-ste trains sparse for the whole epoch budget. */
  method?: DemoMethod;
  /** Run the comparison of every method (default: true for the ViT, false for the CNN). */
  compare?: boolean;
  /** Training images the one-shot methods calibrate on (default 256). */
  calibrationImages?: number;
  /** Folder of the IDX files for fashion-mnist (default /usr/share/datasets/fashion-mnist). */
  dataDir?: string;
  /** Dense training epochs (default: 4 on digits, 2 on Fashion-MNIST). */
  epochs?: number;
  /** Sparse fine-tuning epochs (default: 3 on digits, 1 on Fashion-MNIST). */
  finetuneEpochs?: number;
  /** ASP mask pattern: 'm4n2_1d' (default), 'm4n2_2d_best', 'm4n2_2d_greedy', 'N:M', ... */
  pattern?: string;
  /** Channel permutation before the masks (default true). */
  permute?: boolean;
  /** Kernel backend: 'reference' or 'gpu' (default: the active one). */
  backend?: string;
  /** gpu.js mode when backend is 'gpu' (webasm, cpu, ...). */
  gpuMode?: string;
  seed?: number;
  /** Report folder (default `sparse24-demo`). */
  out?: string;
  /** Use only the first N training examples (Fashion-MNIST runs on a budget). */
  trainLimit?: number;
}

export interface DemoHooks {
  /** Stage lines ("pruning with m4n2_1d ..."). */
  onProgress?: (line: string) => void;
  /** Where training and search bars go (a TTY gets bars, anything else plain lines); none: silent. */
  stream?: ProgressStream;
  /** The channel permutation ASP ran (not called without one): the report the magnitude section summarises. */
  onPermutation?: (permutation: AspPermutation) => void;
  /** The model's state after dense training, before pruning (not called when no dense model is trained). */
  onDenseTrained?: (state: ReadonlyMap<string, Tensor>) => void;
}

export interface EpochPoint {
  phase: 'dense' | 'sparse';
  /** 1-based, counted over both phases. */
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
}

export interface LayerMagnitudeRow {
  /** State-dict name of the weight (`3.weight`). */
  name: string;
  /** Sum of |w| of the dense weight. */
  dense: number;
  /** Kept under the pattern without permutation. */
  default: number;
  /** Kept under the pattern after permutation (equal to `default` when not permuted). */
  permuted: number;
  /** Whether a permutation was applied to this weight's input channels. */
  touched: boolean;
}

/** One variant of the comparison: a method, with or without channel permutation. */
export interface ComparisonRow {
  method: 'dense' | DemoMethod;
  permuted: boolean;
  /** Right after one-shot pruning, before any retraining (null for dense and SR-STE). */
  oneShot: { accuracy: number; loss: number } | null;
  /** After ASP fine-tuning (one-shot methods) or SR-STE training; the dense model for 'dense'. */
  trained: { accuracy: number; loss: number; epochs: number };
  /** pruneOneShot's per-layer reports (empty for dense and SR-STE). */
  layers: { name: string; method: string; rows: number; reconstructionError: number | null }[];
  /** The variant's final weights with their masks (null for dense). */
  checkpoint: string | null;
  seconds: number;
}

export interface DemoComparison {
  /** The comparison prunes 2:4 along input channels (m4n2_1d), whatever the demo's pattern. */
  pattern: string;
  calibrationImages: number;
  finetuneEpochs: number;
  rows: ComparisonRow[];
  notes: string[];
}

export interface DemoResult {
  dataset: DemoDataset;
  /** The model family ('cnn' or 'vit') and how it was sparsified. */
  architecture: DemoModel;
  method: DemoMethod;
  pattern: string;
  backend: string;
  seed: number;
  permute: boolean;
  model: { parameters: number; prunable: number; sparseLayers: string[] };
  data: { train: number; test: number };
  dense: { accuracy: number; loss: number; epochs: number; epochSeconds: number };
  pruned: { accuracy: number; loss: number; sparsity: number };
  finetuned: { accuracy: number; loss: number; epochs: number; epochSeconds: number };
  /** null fields (with `note`) when the pattern has no compressed 2:4 form. */
  sparseInference: {
    accuracy: number | null;
    maxAbsDiff: number | null;
    convertedLayers: string[];
    note: string | null;
  };
  magnitude: {
    default: number;
    permuted: number;
    layers: LayerMagnitudeRow[];
    /** Permutation groups holding a sparse weight that were left alone, with why. */
    skipped: { group: number; reason: string; params: string[] }[];
    searchSeconds: number;
  };
  timing: { batch: number; runs: number; denseForwardMs: number; sparseForwardMs: number | null };
  history: EpochPoint[];
  /** Every method side by side (see DemoOptions.compare); null when not run. */
  comparison: DemoComparison | null;
  notes: string[];
  seconds: number;
  files: string[];
  /** How raw pixels became model input (the same is recorded in the checkpoint's metadata). */
  inputNormalization: { subtract: number; divide: number; pixel: string };
}
