import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeErrno, errnoCode } from './errno.js';
import { FileWriteError } from './errors.js';

/** Characters of the target's name kept in the temporary name (which must fit NAME_MAX too). */
const TMP_PREFIX_CHARS = 24;

/**
 * A temporary name beside `path`, short whatever the target's length: a clipped prefix of its
 * name (recognisable in a listing), the pid and random hex. At most ~130 bytes, so a target
 * whose own name is close to the 255-byte limit still gets a valid temporary name.
 */
export function temporaryName(path: string): string {
  const prefix = [...basename(path)].slice(0, TMP_PREFIX_CHARS).join('');
  return join(dirname(path), `.${prefix}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeError(path: string, err: unknown): unknown {
  const code = errnoCode(err);
  if (code === undefined) return err;
  const reason = code === 'ENOENT' ? `folder ${dirname(path)} does not exist (ENOENT)` : describeErrno(code);
  return new FileWriteError(path, code, reason);
}

/**
 * Writes `bytes` to `path` atomically: a temporary file in the same folder (so the rename never
 * crosses file systems), flushed to disk, then renamed over the target. Readers see either the
 * old file or the complete new one; on failure the temporary file is removed and a
 * FileWriteError names `path` (not the temporary file) and the reason.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = temporaryName(path);
  let created = false;
  try {
    const fh = await open(tmp, 'wx');
    created = true;
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw writeError(path, err);
  }
}

/**
 * Creates the folder `path` and its parents (nothing happens if it is already a folder). A
 * failure is a FileWriteError naming `path` and the reason, e.g. "cannot write out/: a part of
 * the path is not a folder (ENOTDIR)", instead of Node's raw `mkdir` error.
 */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === undefined) throw err;
    throw new FileWriteError(
      path,
      code,
      code === 'EEXIST' ? `exists and is not a folder (${code})` : describeErrno(code),
    );
  }
}
