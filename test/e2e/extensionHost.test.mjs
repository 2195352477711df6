// The extension-host suite (test/vscode, run by scripts/vscode/runExtensionTests.mjs inside a real
// VS Code) as one node:test test, so that `npm test` reports every layer in one summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('extension-host tests pass inside a real VS Code (code-server)', { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts/vscode/runExtensionTests.mjs')], { encoding: 'utf8', timeout: 290_000 });
  process.stdout.write(r.stdout.split('\n').map((l) => `  ${l}`).join('\n'));
  assert.equal(r.status, 0, `the extension-host suite failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /All extension-host suites: \d+ passed, 0 failed/);
});
