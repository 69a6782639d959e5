/**
 * Part 2 of apex's checkpoint scenario in a fresh process:
 * `node --import tsx test/asp/scripts/resume.ts <dir> <pattern>...` loads `<dir>/<pattern>.ckpt`
 * into a freshly prepared model and optimizer, trains on, writes `<dir>/<pattern>.final.safetensors`
 * and prints one JSON line per pattern.
 */
import { join } from 'node:path';
import { saveSafetensors } from '../../../src/io/index.js';
import { loadCheckpoint } from '../../../src/nn/index.js';
import { MT19937 } from '../../../src/tensor/index.js';
import { prepare, resume } from '../scenario.js';

const [dir, ...patterns] = process.argv.slice(2);
if (dir === undefined || patterns.length === 0) throw new Error('usage: resume.ts <dir> <pattern>...');
for (const pattern of patterns) {
  const p = prepare(pattern, new MT19937(1)); // any init: the checkpoint overwrites it
  const before = p.asp.isSparsityEnabled();
  await loadCheckpoint(join(dir, `${pattern}.ckpt`), p.model, { optimizer: p.optimizer });
  const after = p.asp.isSparsityEnabled();
  resume(p);
  await saveSafetensors(join(dir, `${pattern}.final.safetensors`), p.model.stateDict());
  process.stdout.write(`${JSON.stringify({ pattern, before, after })}\n`);
}
