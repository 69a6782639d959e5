/** The permutation search's progress: a redrawn bar on a TTY, one plain line per group otherwise. */
import { type ProgressStream, formatBar } from '../nn/index.js';
import type { GroupStatus } from '../permutation/index.js';

export class SearchProgress {
  readonly #stream: ProgressStream | null;
  readonly #tty: boolean;

  constructor(stream: ProgressStream | undefined) {
    this.#stream = stream ?? null;
    this.#tty = stream?.isTTY === true;
  }

  /** Group `group` (0-based) of `groups` was decided with `status`. */
  update(group: number, groups: number, status: GroupStatus): void {
    const out = this.#stream;
    if (out === null) return;
    const done = group + 1;
    if (this.#tty) {
      out.write(
        `\rpermutation search ${formatBar(groups === 0 ? 1 : done / groups)} ${done}/${groups} groups\x1b[K${done === groups ? '\n' : ''}`,
      );
    } else {
      out.write(`permutation group ${done}/${groups}: ${status}\n`);
    }
  }
}
