/** `sparse24 lab` usage errors, in process (the served page is test/lab/lab.test.ts). */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../cli/helpers.js';

describe('sparse24 lab usage', () => {
  it('prints its help', async () => {
    const c = capture();
    expect(await main(['lab', '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('--no-open');
  });

  it.each([['x'], ['-1'], ['70000'], ['1.5']])('rejects --port %s with exit 2', async (port) => {
    const c = capture();
    expect(await main(['lab', '--port', port, '--no-open'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--port');
  });
});
