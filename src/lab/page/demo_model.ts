/**
 * The trained demo model in the page: the 2:4 checkpoint `sparse24 lab` trains with `sparse24 demo`
 * (/demo-model.safetensors) loaded into the demo CNN (`demoCnn(8)`), converted with
 * toSparseInference, and the digits test set it is scored on (/demo-test.safetensors, with the
 * accuracy Node measured in its metadata), and the model's weights after dense training
 * (/demo-dense.safetensors), which the weight picker then offers.
 */
import { type LabWeight, weightsFromFile } from './weights.js';
import {
  type Sequential,
  type Tensor,
  demoCnn,
  fromStoredStateDict,
  isAspBufferKey,
  maskBufferKey,
  parseSafetensors,
  toSparseInference,
} from 'sparse24';

/** What Node measured (src/lab/server/demo_model.ts's DemoModelFacts). */
export interface DemoFacts {
  readonly compressedAccuracy: number | null;
  readonly finetunedAccuracy: number;
  readonly backend: string;
  readonly sparseLayers: readonly string[];
}

export interface DemoModel {
  /** The masked dense model (its pruned weights are zeros). */
  readonly model: Sequential;
  /** The same model with its 2:4 layers compressed. */
  readonly sparseModel: Sequential;
  readonly images: Tensor;
  readonly labels: Float32Array;
  readonly facts: DemoFacts;
  /** Every weight the checkpoint's masks prune is zero. */
  readonly masksHold: boolean;
  /** The model's usable weights after dense training, before pruning (for the weight picker). */
  readonly denseWeights: LabWeight[];
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function loadDemoModel(): Promise<DemoModel> {
  const [ckpt, test, dense] = await Promise.all([
    fetchBytes('/demo-model.safetensors'),
    fetchBytes('/demo-test.safetensors'),
    fetchBytes('/demo-dense.safetensors'),
  ]);
  const stored = parseSafetensors(ckpt, 'demo-model.safetensors').tensors;
  const all = fromStoredStateDict(stored);
  const weights = new Map([...all].filter(([k]) => !isAspBufferKey(k)));
  // Each weight against its mask, if it has one (the mask buffer key is the library's rule).
  let masksHold = true;
  for (const [k, w] of weights) {
    const mask = all.get(maskBufferKey(k));
    if (mask?.data.some((m, i) => m === 0 && w.data[i] !== 0) === true) masksHold = false;
  }
  const model = demoCnn(8);
  model.loadStateDict(weights);
  model.eval();
  const testSet = parseSafetensors(test, 'demo-test.safetensors');
  const testTensors = fromStoredStateDict(testSet.tensors);
  const images = testTensors.get('images')!;
  const labels = testTensors.get('labels')!.data;
  const facts = JSON.parse(testSet.metadata['sparse24.demo'] ?? 'null') as DemoFacts | null;
  if (facts === null) throw new Error('demo-test.safetensors: no sparse24.demo metadata');
  const denseWeights = weightsFromFile('demo-dense.safetensors', dense).weights;
  return {
    model,
    sparseModel: toSparseInference(model, { fromWeights: true }),
    images,
    labels,
    facts,
    masksHold,
    denseWeights,
  };
}

/** The share of rows of `logits` [N, classes] whose largest entry is at `labels[row]`. */
export function accuracy(logits: Float32Array, labels: Float32Array): number {
  const classes = logits.length / labels.length;
  let right = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
    if (best === labels[r]) right++;
  }
  return right / labels.length;
}
