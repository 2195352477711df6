// Starts code-server on a free port with its own HOME/XDG folders and seeded settings, and stops
// it with its whole process group. Optionally installs a VSIX into a fresh extensions folder.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { paths } from './provision.mjs';

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden', // an empty chat panel in every screenshot otherwise
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** A run folder under the OS temp dir (kept with KEEP_RUN=1 for debugging). */
export function makeRunDir(name) {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), `vscode-${name}-`));
  for (const d of ['home', 'config', 'data', 'user-data/User', 'extensions']) fs.mkdirSync(path.join(run, d), { recursive: true });
  fs.writeFileSync(path.join(run, 'config.yaml'), 'auth: none\ncert: false\n');
  fs.writeFileSync(path.join(run, 'user-data', 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  return run;
}

function env(run, extra) {
  return {
    ...process.env,
    HOME: path.join(run, 'home'),
    XDG_CONFIG_HOME: path.join(run, 'config'),
    XDG_DATA_HOME: path.join(run, 'data'),
    ...extra,
  };
}

export function installVsix(run, vsix) {
  const r = spawnSync(path.join(paths.node24, 'bin', 'node'), [paths.codeServerEntry, '--config', path.join(run, 'config.yaml'),
    '--user-data-dir', path.join(run, 'user-data'), '--extensions-dir', path.join(run, 'extensions'), '--install-extension', vsix],
  { env: env(run), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Starts code-server on `workspace`. `smokeDriver` enables the extension-test payload mechanism.
 * Returns { port, url, run, stop, output() }.
 */
/** `port`: a given one, e.g. to reopen the same window (VS Code keys a window's UI state by its address). */
export async function startCodeServer({ run, workspace, smokeDriver = false, extraEnv = {}, untrusted = false, port: wanted }) {
  const port = wanted ?? await freePort();
  if (untrusted) {
    // Workspace Trust on, no prompt: the folder opens in Restricted Mode, as an unknown clone does.
    const file = path.join(run, 'user-data', 'User', 'settings.json');
    const settings = { ...JSON.parse(fs.readFileSync(file, 'utf8')), 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' };
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  }
  const args = [paths.codeServerEntry, '--config', path.join(run, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none', '--disable-telemetry', '--disable-update-check', ...(untrusted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--user-data-dir', path.join(run, 'user-data'),
    '--extensions-dir', path.join(run, 'extensions')];
  if (smokeDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(workspace);
  const child = spawn(path.join(paths.node24, 'bin', 'node'), args, { env: env(run, extraEnv), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
  process.on('exit', stop);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { stop(); throw new Error(`code-server did not answer on port ${port} within 30 s:\n${output}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, url: `http://127.0.0.1:${port}`, run, stop, output: () => output };
}

/** The extension host's log files of a run (printed when something fails). */
export function extensionHostLogs(run) {
  const out = [];
  const walk = (d) => {
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost|remoteexthost|Alembic Migrations/i.test(p) && p.endsWith('.log')) out.push(`--- ${p}\n${fs.readFileSync(p, 'utf8').slice(-6000)}`);
    }
  };
  walk(path.join(run, 'user-data', 'logs'));
  walk(path.join(run, 'data'));
  return out.join('\n');
}

/** A fresh copy of the example project (without any database file) for one run. */
export function copyExample(repo, prefix = 'example-') {
  const dest = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.cpSync(path.join(repo, 'migrations', 'example'), dest, { recursive: true, filter: (p) => !p.endsWith('.db') });
  return dest;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/**
 * Opens the command palette on `title` (the row is there; the caller presses Enter). A keypress
 * that lands while the previous palette is still closing can be lost on a loaded machine, so one
 * more try (the command itself is checked after).
 */
export async function openPalette(page, title) {
  const widget = page.locator('.quick-input-widget');
  for (let attempt = 0; ; attempt++) {
    await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => page.keyboard.press('Escape'));
    await page.keyboard.press('F1');
    try {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
      return;
    } catch (e) {
      if (attempt >= 1) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * code-server on `workspace` with the extension installed as users have it (no "Extension Development
 * Host" window): the repository linked into the extensions folder, without packaging (ui.test.mjs
 * tests the VSIX; a second package build would rewrite dist/ while other suites run from it). A
 * Chromium window on it (call provision() first), not yet navigated. Returns { server, context, page }.
 */
export async function openInstalledWindow({ run, workspace, repo, viewport = { width: 1400, height: 900 } }) {
  const { name, publisher, version } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  fs.symlinkSync(repo, path.join(run, 'extensions', `${publisher}.${name}-${version}`));
  const server = await startCodeServer({ run, workspace });
  const context = await chromium.launchPersistentContext(path.join(run, 'chromium'), {
    executablePath: paths.chromium, headless: !process.env.HEADED, viewport, args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return { server, context, page };
}

/** Numbered screenshots of `page` into `dir` (emptied first): `shot(label)` returns the file. */
export function screenshots(page, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let step = 0;
  return async (label) => {
    const file = path.join(dir, `${String(++step).padStart(2, '0')}-${label}.png`);
    await page.screenshot({ path: file });
    return file;
  };
}

/**
 * code-server on `workspace` with the extension loaded from `repo` (the development path), and a
 * headless Chromium page on it (call provision() first). Returns { server, browser, page }; close the browser, stop the server.
 */
export async function openDevWindow({ run, workspace, repo, viewport = { width: 1400, height: 900 } }) {
  const server = await startCodeServer({ run, workspace, smokeDriver: true });
  const browser = await chromium.launch({ executablePath: paths.chromium, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${repo}`], ['skipWelcome', 'true']]);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  return { server, browser, page };
}

/** A failed scenario: its last screenshot, code-server's output and the extension host's logs on stderr. */
export async function reportFailure({ shot, server, run }) {
  await shot('failure').catch(() => undefined);
  process.stderr.write(`\n--- code-server output\n${server.output().slice(-4000)}\n${extensionHostLogs(run)}\n`);
}

/** After a scenario: the browser closed, code-server stopped, `folders` removed (kept with KEEP_RUN=1). */
export async function closeScenario({ context, server, folders }) {
  await context.close().catch(() => undefined);
  server.stop();
  if (!process.env.KEEP_RUN) for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
}
