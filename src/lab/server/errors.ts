import { Sparse24Error } from '../../tensor/errors.js';

/** The lab cannot be served: a missing page or library bundle, or a port that cannot be bound. */
export class LabError extends Sparse24Error {}
