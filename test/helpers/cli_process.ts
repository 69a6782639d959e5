/**
 * The CLI as a process from the sources, like bin/sparse24.js:
 * `node --import tsx test/helpers/cli_process.ts ARGS`.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
