/**
 * `node --import tsx test/nn/scripts/crash_save.ts <dir> <step> <second-save-has-optimizer 0|1>`:
 * saves checkpoint A (with optimizer and scheduler), writes its fingerprint to a.json, trains one
 * more step, writes b.json, then saves checkpoint B over A and kills itself with SIGKILL right
 * after step `<step>` of B's save: a real crash at a chosen instant.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint } from '../../../src/nn/index.js';
import { fingerprint, freshState, step } from './crash_common.js';

const [dir, crashAt, withOptimizer] = process.argv.slice(2);
if (dir === undefined || crashAt === undefined) throw new Error('usage: crash_save.ts <dir> <step> <0|1>');
const path = join(dir, 'ckpt.safetensors');
const s = freshState(1);
step(s, 1);
await saveCheckpoint(path, s.model, { optimizer: s.optimizer, scheduler: s.scheduler, epoch: 0 });
writeFileSync(join(dir, 'a.json'), JSON.stringify(fingerprint(s)));
step(s, 2);
writeFileSync(join(dir, 'b.json'), JSON.stringify(fingerprint(s)));
const second = withOptimizer === '1' ? { optimizer: s.optimizer, scheduler: s.scheduler } : {};
await saveCheckpoint(path, s.model, {
  ...second,
  epoch: 1,
  onStep: (done) => {
    if (done === crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without crashing\n');
