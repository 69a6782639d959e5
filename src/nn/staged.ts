/**
 * A load that has been checked but not yet applied. `loadCheckpoint` stages the model, the
 * optimizer and the scheduler first and commits them only when all three are valid, so a bad
 * file changes nothing. `commit()` only copies: everything that can fail happened before.
 */
export interface StagedLoad<T = void> {
  commit(): T;
}
