import { Sparse24Error } from '../tensor/errors.js';
import { clip } from './clip.js';

/** A FormatError's problem text is clipped to this (the parts that quote file values are clipped on their own). */
const MAX_PROBLEM = 2000;

/**
 * A file (or in-memory buffer) does not follow its format. Readers of untrusted input throw only
 * this, so a caller can catch "bad file" without also swallowing programming mistakes.
 */
export class FormatError extends Sparse24Error {
  /** The file path, or the name given to an in-memory parse. */
  readonly file: string;
  /** Byte offset of the problem inside the file, where one is known. */
  readonly offset: number | undefined;

  constructor(file: string, problem: string, offset?: number) {
    super(
      `${clip(file, MAX_PROBLEM)}: ${clip(problem, MAX_PROBLEM)}${offset === undefined ? '' : ` (at byte ${offset})`}`,
    );
    this.file = file;
    this.offset = offset;
  }
}

/**
 * A file could not be written (missing folder, read-only file system, disk full...). It names
 * the path the caller asked for, never the temporary file, and keeps Node's errno `code`.
 */
export class FileWriteError extends Sparse24Error {
  constructor(
    readonly path: string,
    readonly code: string,
    reason: string,
  ) {
    super(`cannot write ${clip(path, MAX_PROBLEM)}: ${reason}`);
  }
}
