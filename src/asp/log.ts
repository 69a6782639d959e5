/**
 * ASP's log lines and apex's verbosity levels, so users who tuned apex's `verbosity` get the same
 * amount of output:
 * - 0: only what apex always prints (auto-skipped layers, a skipped permutation);
 * - 2: one line per layer when masks are computed or weights restored;
 * - 3 (apex's default for `init_model_for_pruning`): also which parameters are (not) sparsified
 *   and the answer of `alreadyInitialized`.
 */
export type AspLogger = (line: string) => void;

/** The default sink: one line per call on stderr, as apex's prints go to stdout/stderr. */
export const stderrLogger: AspLogger = (line) => {
  process.stderr.write(`${line}\n`);
};

/** Writes `[ASP] ...` lines through `sink` when their level is within `verbosity`. */
export class AspLog {
  constructor(
    readonly verbosity: number,
    private readonly sink: AspLogger,
  ) {}

  /** Logs `message` if `level <= verbosity` (level 0 always logs). */
  at(level: number, message: string): void {
    if (level === 0 || level <= this.verbosity) this.sink(`[ASP] ${message}`);
  }
}
