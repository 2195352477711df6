// `npm run test:vscode`: the mocha suites of test/vscode run inside the extension host of a real
// VS Code (code-server), loaded through the workbench's extension-test payload, driven by Chromium.
// Expects `npm run build` and `npm run compile-tests` to have run (npm test does both).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { provision } from './provision.mjs';
import { CHROMIUM_ARGS, copyExample, extensionHostLogs, makeRunDir, startCodeServer } from './codeServer.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suite = path.join(repo, 'out', 'test', 'vscode', 'index.js');
const TIMEOUT_MS = Number(process.env.VSCODE_TEST_TIMEOUT ?? 180_000);

/** A monorepo folder with two projects: the example (alembic.ini) and one configured in pyproject.toml. */
function monorepo() {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'monorepo-')));
  fs.cpSync(path.join(repo, 'migrations', 'example'), path.join(root, 'services', 'api'), { recursive: true, filter: (p) => !p.endsWith('.db') });
  fs.cpSync(path.join(repo, 'test', 'fixtures', 'projects', 'pyproject'), path.join(root, 'services', 'inventory'), { recursive: true });
  return root;
}

/** Runs one suite of test/vscode inside a real VS Code opened on `workspace`. */
async function runSuite(paths, name, workspace, { untrusted = false } = {}) {
  const run = makeRunDir('exthost');
  const results = path.join(run, 'results.txt');
  const server = await startCodeServer({ run, workspace, smokeDriver: true, untrusted, extraEnv: { MIGRATIONS_TEST_RESULTS: results, MIGRATIONS_TEST_SUITE: name } });
  const browser = await chromium.launch({ executablePath: paths.chromium, headless: true, args: CHROMIUM_ARGS });
  let code;
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (c) => resolve(c)));
    // The workbench forwards every console message; the suite's own report is the results file.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      if (process.env.VSCODE_TEST_VERBOSE) process.stdout.write(`${format(...(Array.isArray(args) ? args : [args]))}\n`);
    });
    const authority = `vscode-remote://127.0.0.1:${server.port}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', `${authority}${repo}`], ['extensionTestsPath', `${authority}${suite}`], ['skipWelcome', 'true']]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
    const result = await Promise.race([done, timeout]);
    if (result === 'timeout') {
      await page.screenshot({ path: path.join(run, 'timeout.png') }).catch(() => undefined);
      throw new Error(`the extension tests did not finish within ${TIMEOUT_MS / 1000} s (screenshot: ${run}/timeout.png)`);
    }
    code = Number(result);
  } finally {
    await browser.close().catch(() => undefined);
    server.stop();
  }
  const text = fs.existsSync(results) ? fs.readFileSync(results, 'utf8') : '';
  process.stdout.write(`\nExtension host tests, suite "${name}" (real VS Code, code-server ${paths.dir.match(/cs-([^-]+)/)?.[1]}):\n${text}`);
  if (code !== 0 || !text) {
    process.stdout.write(`\n${extensionHostLogs(run)}\n`);
    if (!text) process.stdout.write('No results were written: the suite did not run (see the logs above).\n');
  }
  if (!process.env.KEEP_RUN) { fs.rmSync(run, { recursive: true, force: true }); fs.rmSync(workspace, { recursive: true, force: true }); }
  const counts = /(\d+) passed, (\d+) failed/.exec(text);
  return { ok: !!text && code === 0, passed: Number(counts?.[1] ?? 0), failed: Number(counts?.[2] ?? 1) };
}

async function main() {
  if (!fs.existsSync(suite)) throw new Error(`${suite} is missing: run npm run compile-tests first`);
  if (!fs.existsSync(path.join(repo, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');
  const paths = provision();
  // MIGRATIONS_TEST_SUITES=example,untrusted runs only those suites (with MIGRATIONS_TEST_GREP, only matching tests).
  const only = process.env.MIGRATIONS_TEST_SUITES?.split(',').map((s) => s.trim()).filter(Boolean);
  const suites = [['example', () => copyExample(repo)], ['monorepo', monorepo], ['untrusted', () => copyExample(repo, 'untrusted-'), { untrusted: true }]];
  const runs = [];
  for (const [name, workspace, o] of suites) if (!only || only.includes(name)) runs.push(await runSuite(paths, name, workspace(), o));
  const passed = runs.reduce((n, r) => n + r.passed, 0);
  const failed = runs.reduce((n, r) => n + r.failed, 0);
  process.stdout.write(`\nAll extension-host suites: ${passed} passed, ${failed} failed\n`);
  return runs.every((r) => r.ok) ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => { console.error(`test:vscode: ${e.message}`); process.exit(1); });
