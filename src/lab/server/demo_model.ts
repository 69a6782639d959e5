/**
 * The lab's demo model: the CNN `sparse24 demo` trains on the digits (dense training, channel
 * permutation and 2:4 masks, sparse fine-tuning; seed 0), trained by the server the first time the
 * page asks for it (a few seconds) and kept for the server's life. The page runs it compressed on
 * each of the browser's backends and compares its accuracy with the one measured here.
 *
 * Served as three safetensors files: the 2:4 checkpoint as `sparse24 demo` writes it (apex's keys, the
 * masks as BOOL), the same model's weights after dense training (before pruning: real weights to
 * look at masks and permutations on), and the digits test set (images already normalized as the model saw them, labels
 * as F32 class indices) with what Node measured in its metadata.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemoData, runDemo } from '../../demo/index.js';
import { serializeSafetensors } from '../../io/index.js';

export interface DemoModelFiles {
  /** checkpoint.safetensors of the run. */
  readonly checkpoint: Uint8Array;
  /** The same model after dense training, before pruning (its state dict, F32). */
  readonly dense: Uint8Array;
  /**
   * `images` [N, 1, 8, 8] F32 and `labels` [N] F32 (class indices); metadata `sparse24.demo` is the
   * JSON of `DemoModelFacts`.
   */
  readonly testSet: Uint8Array;
}

/** What Node measured, for the page to compare with (in the test set's metadata). */
export interface DemoModelFacts {
  dataset: 'digits';
  seed: number;
  /** Node's backend for the run. */
  backend: string;
  /** Test accuracy of the compressed model on Node (`sparseInference.accuracy` of report.json). */
  compressedAccuracy: number | null;
  /** Test accuracy of the masked dense model on Node. */
  finetunedAccuracy: number;
  sparseLayers: string[];
  trainSeconds: number;
}

const SEED = 0;
let training: Promise<DemoModelFiles> | null = null;

async function train(say: (line: string) => void): Promise<DemoModelFiles> {
  const started = performance.now();
  const out = await mkdtemp(join(tmpdir(), 'sparse24-lab-demo-'));
  try {
    say('lab: training the demo model (sparse24 demo on the digits, seed 0, wasm backend; a few seconds)');
    // The demo command's default backend (wasm), not whatever this process has selected.
    let dense: Uint8Array | null = null;
    const result = await runDemo(
      { dataset: 'digits', seed: SEED, backend: 'wasm', out },
      {
        onProgress: (l) => say(`lab: demo: ${l}`),
        onDenseTrained: (state) => {
          dense = serializeSafetensors(new Map(state), {
            source: `sparse24 demo (digits, seed ${SEED}) after dense training, before pruning`,
          });
        },
      },
    );
    if (dense === null) throw new Error('lab: the demo run trained no dense model');
    const checkpoint = new Uint8Array(await readFile(join(out, 'checkpoint.safetensors')));
    const data = await loadDemoData('digits', undefined, undefined);
    const facts: DemoModelFacts = {
      dataset: 'digits',
      seed: SEED,
      backend: result.backend,
      compressedAccuracy: result.sparseInference.accuracy,
      finetunedAccuracy: result.finetuned.accuracy,
      sparseLayers: result.model.sparseLayers,
      trainSeconds: (performance.now() - started) / 1000,
    };
    const testSet = serializeSafetensors(
      { images: data.test.images, labels: data.test.labels },
      { 'sparse24.demo': JSON.stringify(facts) },
    );
    say(`lab: demo model trained in ${facts.trainSeconds.toFixed(1)} s on ${result.backend}`);
    return { checkpoint, dense, testSet };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The demo model's files, trained on first call (concurrent calls share one run; a failed run is retried). */
export function demoModelFiles(say: (line: string) => void = () => {}): Promise<DemoModelFiles> {
  if (training === null) {
    training = train(say);
    training.catch(() => {
      training = null;
    });
  }
  return training;
}
