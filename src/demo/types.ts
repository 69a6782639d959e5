/** What `runDemo` takes and returns: the shape of `report.json` and of `sparse24 demo --json`. */
import type { AspPermutation } from '../asp/index.js';
import type { ProgressStream } from '../nn/index.js';

export type DemoDataset = 'digits' | 'fashion-mnist';
export const DEMO_DATASETS: readonly DemoDataset[] = ['digits', 'fashion-mnist'];

export interface DemoOptions {
  dataset?: DemoDataset;
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

export interface DemoResult {
  dataset: DemoDataset;
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
  notes: string[];
  seconds: number;
  files: string[];
}
