import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Thousands of two-thread kernel calls under the CPU profiler, whose interrupts wake threads blocked
 * in Atomics.wait: every result must be exact and the process must finish (a worker that took a
 * wake-up for a new job ran the previous job again, corrupting memory and hanging the caller).
 */
describe('wasm thread pool', () => {
  it('survives spurious wake-ups: exact results, no hang, under --cpu-prof', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparse24-prof-'));
    try {
      const script = join(import.meta.dirname, 'scripts/many_jobs.ts');
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir', dir, script, '20000'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.signal).toBe(null);
      expect(r.stderr).not.toMatch(/wrong result/);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('ok 20000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
