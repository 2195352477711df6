// `npm test`: every test layer, in order, on the real parts (Python Alembic as oracle, SQLite
// files, a PostgreSQL server). Extra arguments are passed to node's test runner.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const layers = ['out/test/unit', 'out/test/diff'].filter((d) => existsSync(d));
const args = ['--test', '--test-reporter=spec', '--test-concurrency=2', ...process.argv.slice(2), ...layers];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
