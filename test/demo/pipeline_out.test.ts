/** runDemo as a library function: an output folder that cannot be created is a FileWriteError naming it. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/index.js';
import { FileWriteError } from '../../src/io/index.js';
import { withTmp } from '../cli/helpers.js';

describe('runDemo output folder', () => {
  it('a folder under a regular file is a FileWriteError naming the folder, not a raw mkdir error', async () => {
    await withTmp(async (dir) => {
      const file = join(dir, 'plain');
      await writeFile(file, 'x');
      const out = join(file, 'report');
      const err = await runDemo({
        out,
        epochs: 0,
        finetuneEpochs: 0,
        pattern: '3:4',
        permute: false,
        trainLimit: 32,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileWriteError);
      expect(err).toMatchObject({
        path: out,
        code: 'ENOTDIR',
        message: `cannot write ${out}: a part of the path is not a folder (ENOTDIR)`,
      });
    });
  }, 60_000);
});
