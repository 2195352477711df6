// `npm test`: every test layer on the real parts: unit tests, differential tests against the real
// Alembic (SQLite files, a PostgreSQL server), the extension-host suite and the UI scenarios in a
// real VS Code (code-server + Chromium, provisioned first). Extra arguments go to node's test runner.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const step = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;

if (step(['scripts/vscode/provision.mjs']) !== 0) process.exit(1);
const layers = ['out/test/unit', 'out/test/diff', 'test/e2e'].filter((d) => existsSync(d));
process.exit(step(['--test', '--test-reporter=spec', '--test-concurrency=2', ...process.argv.slice(2), ...layers]));
