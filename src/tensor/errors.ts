/**
 * Typed errors. Every error sparse24 throws on bad input is one of these, so callers can tell a
 * shape mistake from a file-format mistake without parsing messages.
 */
export class Sparse24Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor's shape (or a shape-like argument) does not fit the operation. */
export class ShapeError extends Sparse24Error {}

/** An argument has an invalid value (a negative size, an unknown option, NaN where none is allowed). */
export class ValueError extends Sparse24Error {}

/** The autograd graph cannot do what was asked (backward on a non-scalar, twice through a freed graph). */
export class AutogradError extends Sparse24Error {}

/** A backend or gpu.js mode is unknown or unavailable on this machine. */
export class BackendError extends Sparse24Error {}
