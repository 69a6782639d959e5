/**
 * Checking where a command will write, before it does any long work: a missing folder, a path
 * under a regular file, a directory given as an output file, a name too long for the file
 * system, or a folder that cannot be written (read-only file system, no permission) is a
 * UsageError (exit 2) naming the path the user gave, not an internal error after the work.
 *
 * Writability is tested by creating and removing a probe file where the output will go, because
 * permission bits alone say nothing for root and nothing about a read-only mount. The probe for
 * an output file has a name as long as the output's own, so a name over the file system's limit
 * fails here too.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { describeErrno, errnoCode } from '../../io/index.js';
import { UsageError } from '../command.js';

/** The name's length limit on every common file system (NAME_MAX). */
const NAME_MAX_BYTES = 255;

function fail(what: string, path: string, problem: string): UsageError {
  return new UsageError(`${what}: cannot write '${path}': ${problem}`);
}

/** `p`'s stats, or null when it does not exist (or a part of it is not a folder). */
async function statOrNull(what: string, path: string, p: string): Promise<Stats | null> {
  try {
    return await stat(p);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code !== undefined) throw fail(what, path, `${p}: ${describeErrno(code)}`);
    throw err;
  }
}

/** Creates and removes a probe file in `folder`; the probe's name has at least `nameBytes` bytes. */
async function probe(what: string, path: string, folder: string, nameBytes: number): Promise<void> {
  const base = `.sparse24-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = base.length >= nameBytes ? base : `${base}${'x'.repeat(nameBytes - base.length)}`;
  const file = join(folder, name);
  try {
    await (await open(file, 'wx')).close();
  } catch (err) {
    const code = errnoCode(err);
    if (code === undefined) throw err;
    const problem =
      code === 'ENAMETOOLONG'
        ? `the file name is too long for this file system (${nameBytes} bytes)`
        : `folder ${folder} is not writable: ${describeErrno(code)}`;
    throw fail(what, path, problem);
  }
  await unlink(file).catch(() => undefined);
}

/** The nearest existing ancestor of `path` (resolved), which must be a folder. */
async function existingFolderAbove(what: string, path: string): Promise<string> {
  let dir = resolve(path);
  for (;;) {
    const parent = dirname(dir);
    const s = await statOrNull(what, path, parent);
    if (s !== null) {
      if (!s.isDirectory()) throw fail(what, path, `${parent} is not a folder`);
      return parent;
    }
    if (parent === dir) throw fail(what, path, 'no existing folder above it');
    dir = parent;
  }
}

/**
 * Checks that a file can be written at `path` (`what` names the command and option, e.g.
 * "prune -o"): its folder exists and is writable, it is not a folder, its name fits.
 */
export async function checkOutputFile(what: string, path: string): Promise<void> {
  if (path === '' || path.endsWith('/')) throw fail(what, path, 'expected a file path, not a folder');
  const name = basename(path);
  const nameBytes = Buffer.byteLength(name);
  if (nameBytes > NAME_MAX_BYTES)
    throw fail(
      what,
      path,
      `the file name is ${nameBytes} bytes, longer than the ${NAME_MAX_BYTES} a file name may have`,
    );
  const existing = await statOrNull(what, path, path);
  if (existing !== null) {
    if (existing.isDirectory()) throw fail(what, path, 'it is a folder; expected a file path');
    if (!existing.isFile()) throw fail(what, path, 'it exists and is not a regular file');
  }
  const folder = dirname(path);
  const s = await statOrNull(what, path, folder);
  if (s === null) {
    // A part above that is a regular file is the better message; else the folder is missing.
    await existingFolderAbove(what, folder);
    throw fail(what, path, `folder ${folder} does not exist`);
  }
  if (!s.isDirectory()) throw fail(what, path, `${folder} is not a folder`);
  await probe(what, path, folder, nameBytes);
}

/**
 * Checks that `path` can be used as an output folder: an existing writable folder, or a path
 * whose missing folders can be created under the nearest existing (writable) folder.
 */
export async function checkOutputDir(what: string, path: string): Promise<void> {
  if (path === '') throw fail(what, path, 'expected a folder path');
  const s = await statOrNull(what, path, path);
  if (s !== null) {
    if (!s.isDirectory()) throw fail(what, path, 'it exists and is not a folder');
    await probe(what, path, path, 0);
    return;
  }
  for (const part of resolve(path).split(sep)) {
    if (Buffer.byteLength(part) > NAME_MAX_BYTES)
      throw fail(what, path, `the folder name '${part.slice(0, 40)}…' is longer than ${NAME_MAX_BYTES} bytes`);
  }
  await probe(what, path, await existingFolderAbove(what, path), 0);
}

/** A Node errno error from writing under `path` as a UsageError naming `path`; anything else unchanged. */
export function outputError(what: string, path: string, err: unknown): unknown {
  const code = errnoCode(err);
  return code === undefined ? err : fail(what, path, describeErrno(code));
}
