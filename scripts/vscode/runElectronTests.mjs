// `npm run test:electron`: the same extension-host suite in a desktop VS Code downloaded by
// @vscode/test-electron, for contributors whose machine can reach the VS Code download site.
// (CI and machines without that access use `npm run test:vscode`, which runs code-server.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
fs.cpSync(path.join(repo, 'migrations', 'example'), workspace, { recursive: true, filter: (p) => !p.endsWith('.db') });

runTests({
  extensionDevelopmentPath: repo,
  extensionTestsPath: path.join(repo, 'out', 'test', 'vscode', 'index.js'),
  launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
}).then(() => process.exit(0), (e) => { console.error(`test:electron: ${e.message}`); process.exit(1); });
