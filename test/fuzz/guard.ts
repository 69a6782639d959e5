/**
 * The contract every fuzz case checks: a reader given hostile bytes either returns or throws the
 * documented error (FormatError, naming the input), never a TypeError/RangeError/stack overflow,
 * with a message that is one bounded line, and it finishes promptly. The time limit is a guard
 * against hangs and runaway allocation, not a performance claim: real cases take microseconds.
 */
import { expect } from 'vitest';
import { FormatError } from '../../src/io/index.js';

export const CASE_LIMIT_MS = 1000;
const MAX_MESSAGE = 2500;

function judge(err: unknown, name: string): void {
  if (!(err instanceof FormatError)) throw err;
  expect(err.file).toBe(name);
  expect(err.message.length).toBeLessThan(MAX_MESSAGE);
}

/** Runs `read` as one fuzz case; returns true so it can end a fast-check property. */
export function documentedOnly(name: string, read: () => unknown): true {
  const started = performance.now();
  try {
    read();
  } catch (err) {
    judge(err, name);
  }
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
  return true;
}

export async function documentedOnlyAsync(name: string, read: () => Promise<unknown>): Promise<true> {
  const started = performance.now();
  try {
    await read();
  } catch (err) {
    judge(err, name);
  }
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
  return true;
}

/** numRuns scaled by SPARSE24_FUZZ_SCALE (default 1): set it to 20 for a deeper local run. */
export function runs(n: number): number {
  const scale = Number(process.env['SPARSE24_FUZZ_SCALE'] ?? '1');
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
