/**
 * Runs a TypeScript file in a fresh Node process (`node --import tsx`), for tests whose failure
 * mode is a hang (a synchronous loop no in-process test timeout can interrupt) or a crash.
 */
import { spawnSync } from 'node:child_process';

export interface ChildResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The process was still running after `timeoutMs` and was killed. */
  readonly timedOut: boolean;
}

export function runScript(script: string, args: readonly string[], timeoutMs: number): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut };
}
