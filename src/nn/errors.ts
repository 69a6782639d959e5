import { Sparse24Error } from '../tensor/index.js';

/**
 * A state dict does not fit the module (strict load): carries every problem at once, so one failed
 * load tells the whole story instead of the first mismatch only.
 */
export class StateDictError extends Sparse24Error {
  constructor(
    message: string,
    readonly missingKeys: readonly string[] = [],
    readonly unexpectedKeys: readonly string[] = [],
    readonly shapeMismatches: readonly string[] = [],
  ) {
    super(message);
  }
}

/** An optimizer or scheduler was set up or restored with values it cannot use. */
export class OptimizerError extends Sparse24Error {}
