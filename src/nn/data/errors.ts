import { Sparse24Error } from '../../tensor/index.js';

/**
 * A dataset cannot be loaded because something outside the program is missing (a file, a folder).
 * Distinct from `FormatError`, which means the file is there but malformed: the fix differs
 * (install or point at the data, versus replace a corrupt file).
 */
export class DatasetError extends Sparse24Error {
  /** The path that was looked for. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}
