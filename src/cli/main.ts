import { parseArgs } from 'node:util';
import { clip, describeErrno, errnoCode } from '../io/index.js';
import { Sparse24Error } from '../tensor/index.js';
import { type Command, type CommandIO, UsageError } from './command.js';

import { benchCommand } from './commands/bench.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { exampleCommand } from './commands/example.js';
import { infoCommand } from './commands/info.js';
import { labCommand } from './commands/lab.js';
import { permuteCommand } from './commands/permute.js';
import { pruneCommand } from './commands/prune.js';
import { vectorsCommand } from './commands/vectors.js';
import { version } from './version.js';

const commands: Command[] = [
  demoCommand,
  exampleCommand,
  infoCommand,
  checkCommand,
  pruneCommand,
  vectorsCommand,
  permuteCommand,
  benchCommand,
  labCommand,
];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: sparse24 <command> [options]',
    '',
    '2:4 structured sparsity in pure TypeScript: masks, permutation, compressed kernels.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: sparse24 <command> --help)',
    '  -V, --version  print the version',
    '  --debug        print stack traces on errors',
    '',
    'Exit codes: 0 success, 1 a check failed, 2 bad input or usage.',
  ].join('\n');
}

/** Longest diagnostic printed: every message is one line, whatever a file made it quote. */
const MAX_MESSAGE = 2000;

function oneLine(message: string): string {
  return clip(message.replace(/\s*\n\s*/g, ' '), MAX_MESSAGE);
}

/**
 * A Node system error that escaped a command (a file or folder that cannot be opened): bad input
 * or a bad environment, not a bug, so it is exit 2 with the path and the reason in words.
 */
function systemErrorMessage(e: unknown): string | null {
  const code = errnoCode(e);
  if (code === undefined) return null;
  const { path, syscall } = e as { path?: unknown; syscall?: unknown };
  const where = typeof path === 'string' ? `${path}: ` : '';
  return `${where}${typeof syscall === 'string' ? `${syscall} failed: ` : ''}${describeErrno(code)}`;
}

const stdio: CommandIO = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Runs the CLI and returns the exit code (0 ok, 1 check failed, 2 bad input or usage). */
export async function main(argv: string[], io: CommandIO = stdio): Promise<number> {
  const debug = argv.includes('--debug');
  const rest = argv.filter((a) => a !== '--debug');
  const [name, ...args] = rest;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.out(mainHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === '-V' || name === '--version') {
      io.out(version());
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command '${name}' (see sparse24 --help)`);
    if (args.includes('--help') || args.includes('-h')) {
      io.out(command.help);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
    return await command.run(
      { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals },
      io,
    );
  } catch (e) {
    if (debug) io.err(String((e as Error).stack ?? e));
    if (e instanceof Sparse24Error) {
      io.err(`sparse24: ${oneLine(e.message)}`);
      return 2;
    }
    const system = systemErrorMessage(e);
    if (system !== null) {
      io.err(`sparse24: ${oneLine(system)}`);
      return 2;
    }
    if (!debug)
      io.err(
        `sparse24: internal error: ${oneLine((e as Error).message ?? String(e))} (rerun with --debug for the stack trace)`,
      );
    return 70;
  }
}
