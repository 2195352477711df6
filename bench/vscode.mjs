// Activation and first render of the Migrations view in a real VS Code (code-server + Chromium)
// on a generated project of N revisions: the extension's own timings (from its log) and the time
// from clicking the activity-bar item to the first row on screen. Part of `npm run bench`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from '../scripts/vscode/provision.mjs';
import { makeRunDir, openDevWindow } from '../scripts/vscode/codeServer.mjs';
import { generateProject } from './generate.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function findLog(run) {
  const stack = [path.join(run, 'user-data', 'logs')];
  while (stack.length) {
    const d = stack.pop();
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name === 'Alembic Migrations.log') return fs.readFileSync(p, 'utf8');
    }
  }
  return '';
}

/** One launch of VS Code on the project; `run` (user data) is reused for a warm second launch. */
async function launch(count, workspace, run) {
  provision();
  const { server, browser, page } = await openDevWindow({ run, workspace, repo });
  try {
    // Open the view as soon as its icon shows, as a user who had it open would: the extension
    // activates meanwhile, so the first rows wait for whatever the extension does first.
    const icon = page.locator('.activitybar [aria-label^="Migrations"]').first();
    await icon.waitFor({ timeout: 60_000 });
    const t = Date.now();
    await icon.click();
    await page.locator('.pane .monaco-list-row').first().waitFor({ timeout: 60_000 });
    const clickToRow = Date.now() - t;
    const deadline = Date.now() + 60_000;
    let log = '';
    while (!/First view data/.test(log) && Date.now() < deadline) { await new Promise((r) => setTimeout(r, 200)); log = findLog(run); }
    await new Promise((r) => setTimeout(r, 3000)); // the extension writes its caches ~2 s after reading
    log = findLog(run);
    const activation = Number(/activate\(\) ([\d.]+) ms/.exec(log)?.[1]);
    const bundle = Number(/bundle evaluated in ([\d.]+) ms/.exec(log)?.[1]);
    const rows = /View rows: \d+ given to VS Code ([\d.]+) ms after activation \(from (the last session's snapshot|the revision files)\)/.exec(log);
    const firstRows = Number(rows?.[1]);
    const rowsFrom = rows?.[2] === 'the revision files' ? 'files' : rows ? 'snapshot' : 'none';
    const filesRead = Number(/ready ([\d.]+) ms after activation/.exec(log)?.[1]);
    if (process.env.BENCH_VERBOSE) console.log(log);
    return { count, activation, bundle, firstRows, rowsFrom, filesRead, clickToRow };
  } finally {
    await browser.close().catch(() => undefined);
    server.stop();
  }
}

/** Cold: a fresh user-data folder. Warm: the same folder again (the header cache is there). */
export async function measureEditor(count) {
  const workspace = generateProject(path.join(repo, 'bench', '.work', `vscode-${count}`), count);
  const run = makeRunDir('bench');
  try {
    const cold = await launch(count, workspace, run);
    const cache = path.join(run, 'user-data', 'User', 'globalStorage', 'migrations-tools.alembic-migrations');
    if (!fs.existsSync(cache) || !fs.readdirSync(cache).some((f) => f.startsWith('headers-'))) throw new Error(`no header cache was written in ${cache}`);
    fs.rmSync(path.join(run, 'user-data', 'logs'), { recursive: true, force: true });
    const warm = await launch(count, workspace, run);
    return { count, cold, warm };
  } finally {
    if (!process.env.BENCH_KEEP) fs.rmSync(run, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const n of (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)) console.log(await measureEditor(n));
}
