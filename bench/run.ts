/**
 * `npm run bench [-- options]`: the `sparse24 bench` command run from source, writing its JSON to
 * bench/results/. Options as `sparse24 bench --help` (e.g. `-- --quick`, `-- --suite dense`).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';

const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
process.exitCode = await main(['bench', '--out', results, ...process.argv.slice(2)]);
