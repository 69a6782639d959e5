/**
 * The one way this library reads a file it is given by path. Every file reader (safetensors,
 * .npy, IDX) and every CLI command goes through here, so the rules live in one place:
 *
 * - only regular files (after following symbolic links): a device, FIFO, socket or directory is
 *   refused before it is read, so `/dev/zero` or a pipe cannot be read forever;
 * - at most `maxBytes` (default `MAX_FILE_BYTES`, 2 GiB): the size is checked before anything
 *   is allocated, and a file over the limit is a FormatError naming its size and the limit;
 * - read in chunks (one `read` call is limited to 2^31 - 1 bytes by Node, and aborts the process
 *   beyond it) and every short read is checked, so a file that shrinks while being read is an
 *   error instead of silently zero-filled data.
 *
 * A path that cannot be opened at all (missing, no permission) keeps Node's own error (with its
 * `code`, e.g. 'ENOENT'), so callers can tell "no such file" from "bad file".
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants } from 'node:fs';
import { type FileHandle, lstat, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { ValueError } from '../tensor/errors.js';
import { FormatError } from './errors.js';

/** The default cap on a file read whole: 2 GiB. Pass `maxBytes` to raise it (up to `MAX_READABLE_BYTES`). */
export const MAX_FILE_BYTES = 2 ** 31;
/** The most one Uint8Array can hold in this Node: no reader can go beyond it. */
export const MAX_READABLE_BYTES = bufferConstants.MAX_LENGTH;
/** Bytes per `read` call: well below Node's 2^31 - 1 limit for one call. */
const CHUNK_BYTES = 2 ** 26;

export interface ReadLimits {
  /** The largest file (and, for compressed formats, decompressed content) accepted; default `MAX_FILE_BYTES`. */
  readonly maxBytes?: number;
  /** Bytes per read call (tests use small chunks to exercise the loop); default 64 MiB. */
  readonly chunkBytes?: number;
}

/** The checked `maxBytes` of `limits`. */
export function maxBytesOf(limits: ReadLimits | undefined): number {
  const max = limits?.maxBytes ?? MAX_FILE_BYTES;
  if (!Number.isSafeInteger(max) || max < 0 || max > MAX_READABLE_BYTES) {
    throw new ValueError(`maxBytes must be an integer in [0, ${MAX_READABLE_BYTES}], got ${max}`);
  }
  return max;
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

async function refuseIrregular(path: string, s: Stats): Promise<void> {
  if (s.isFile()) return;
  const viaLink = await lstat(path).then(
    (l) => l.isSymbolicLink(),
    () => false,
  );
  throw new FormatError(
    path,
    `is ${kindOf(s)}${viaLink ? ' (through a symbolic link)' : ''}, not a regular file; only regular files are read`,
  );
}

/** An open regular file of known size, read by exact byte ranges. */
export class RegularFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** Size in bytes when opened. */
    readonly size: number,
    private readonly chunkBytes: number,
  ) {}

  /** Opens `path` for reading after checking that it is a regular file within the size limit. */
  static async open(path: string, limits?: ReadLimits): Promise<RegularFile> {
    const max = maxBytesOf(limits);
    const chunk = limits?.chunkBytes ?? CHUNK_BYTES;
    if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > CHUNK_BYTES)
      throw new ValueError(`chunkBytes must be an integer in [1, ${CHUNK_BYTES}], got ${chunk}`);
    // stat before open: opening a FIFO blocks until a writer appears, and opening some devices acts.
    await refuseIrregular(path, await stat(path));
    // O_NONBLOCK: should the path be swapped for a FIFO after the stat, open still returns at once.
    const handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    try {
      const s = await handle.stat();
      await refuseIrregular(path, s);
      if (s.size > max) {
        throw new FormatError(
          path,
          `file is ${s.size} bytes, more than the ${max}-byte limit for reading a file (maxBytes)`,
        );
      }
      return new RegularFile(path, handle, s.size, chunk);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Fills `target` with the bytes at `position`, chunk by chunk; a file that ends early is a FormatError. */
  async readInto(target: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < target.length) {
      const want = Math.min(this.chunkBytes, target.length - done);
      const { bytesRead } = await this.handle.read(target, done, want, position + done);
      if (bytesRead === 0) {
        throw new FormatError(
          this.path,
          `file ended after ${position + done} bytes, but it was ${this.size} bytes when opened (was it changed while being read?)`,
          position + done,
        );
      }
      done += bytesRead;
    }
  }

  /** The whole file, in one fresh buffer of exactly `size` bytes. */
  async readAll(): Promise<Uint8Array> {
    const bytes = new Uint8Array(this.size);
    await this.readInto(bytes, 0);
    return bytes;
  }

  /** The file as a byte stream from offset 0 (for decompression); it stops at the size seen when opened. */
  stream(): Readable {
    return this.handle.createReadStream({
      start: 0,
      end: Math.max(0, this.size - 1),
      autoClose: false,
      highWaterMark: Math.min(this.chunkBytes, 1 << 20),
    });
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Opens `path` as a RegularFile, runs `fn` on it, and closes it whatever happens. */
export async function withRegularFile<T>(
  path: string,
  limits: ReadLimits | undefined,
  fn: (file: RegularFile) => Promise<T>,
): Promise<T> {
  const file = await RegularFile.open(path, limits);
  try {
    return await fn(file);
  } finally {
    await file.close();
  }
}

/** The whole content of a regular file of at most `maxBytes` bytes. */
export async function readRegularFile(path: string, limits?: ReadLimits): Promise<Uint8Array> {
  return withRegularFile(path, limits, (f) => f.readAll());
}
