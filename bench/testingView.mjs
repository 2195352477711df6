/* global window, document, PerformanceObserver */
// The Testing view's cost on a generated project of N revisions in a real VS Code (code-server +
// Chromium): the window's long tasks (> 50 ms) after the project is read, then with the Testing view
// opened and the project expanded, then with a revision file opened (its gutter). With a build that
// logs event-loop gaps ("LOOPGAP"), the extension host's blocked time too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from '../scripts/vscode/provision.mjs';
import { makeRunDir, openDevWindow, openPalette } from '../scripts/vscode/codeServer.mjs';
import { generateProject } from './generate.mjs';
import { findLog } from './vscode.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function measureTestingView(count) {
  const workspace = path.join(repo, 'bench', '.work', `testing-${count}`);
  generateProject(workspace, count);
  const run = makeRunDir('bench-testing');
  provision();
  const { server, browser, page } = await openDevWindow({ run, workspace, repo });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  });
  await page.reload();
  const phases = [];
  let logAt = 0;
  const phase = async (name) => {
    const log = findLog(run);
    const lines = log.slice(logAt).split('\n');
    logAt = log.length;
    const gaps = lines.map((l) => /LOOPGAP (\d+) ms/.exec(l)?.[1]).filter(Boolean).map(Number);
    const long = await page.evaluate(() => { const x = window.__long; window.__long = []; return x; });
    const mark = lines.filter((l) => /VERIFYSYNC|Verify tree|resolve/i.test(l)).map((l) => l.replace(/^.*\] /, ''));
    phases.push({ name, hostBlocked: gaps.reduce((a, b) => a + b, 0), hostGaps: gaps, windowLong: Math.round(long.reduce((a, [, d]) => a + d, 0)), windowMax: Math.round(Math.max(0, ...long.map(([, d]) => d))), mark });
  };
  try {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    for (const end = Date.now() + 180_000; !/ is at .*pending/.test(findLog(run));) {
      if (Date.now() > end) throw new Error('the extension did not read the project and its database within 180 s');
      await sleep(200);
    }
    await sleep(10_000);
    await phase('startup (project read, 10 s after)');
    const testing = page.locator('.activitybar [aria-label^="Testing"]').first();
    await testing.click();
    const rows = page.locator('.part.sidebar .test-explorer .monaco-list-row');
    await rows.first().waitFor({ timeout: 60_000 });
    await sleep(5_000);
    await phase('Testing view opened');
    const t = Date.now();
    const project = rows.first();
    if ((await project.getAttribute('aria-expanded')) === 'false') await project.locator('.monaco-tl-twistie').click();
    await page.waitForFunction(() => document.querySelectorAll('.part.sidebar .test-explorer .monaco-list-row').length > 3, null, { timeout: 60_000 });
    const expandMs = Date.now() - t;
    await sleep(5_000);
    await phase(`project expanded (rows after ${expandMs} ms)`);
    // A revision file saved (here written on disk): the items follow the new header.
    const versions = path.join(workspace, 'alembic', 'versions');
    const edited = path.join(versions, fs.readdirSync(versions).find((f) => f.endsWith('_add_table_t5000.py')));
    fs.appendFileSync(edited, '\n# edited\n');
    await sleep(6_000);
    await phase('a revision file changed on disk');
    await openPalette(page, 'Go to File');
    await page.keyboard.press('Enter');
    await page.keyboard.type('add_table_t9999.py');
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await sleep(5_000);
    await phase('a revision file opened');
    return { count, phases };
  } finally {
    await browser.close().catch(() => undefined);
    server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const n of (process.env.BENCH_SIZES ?? '10000').split(',').map(Number)) console.log(JSON.stringify(await measureTestingView(n), null, 1));
}
