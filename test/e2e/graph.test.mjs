// The revision graph in a real VS Code (code-server + Chromium), on a copy of the example project
// (a branch and a merge): what a person sees in the webview and does from it. Screenshots of every
// step go to test-results/e2e/graph/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { provision } from '../../scripts/vscode/provision.mjs';
import { CHROMIUM_ARGS, closeScenario, copyExample, makeRunDir, openPalette, reportFailure, startCodeServer } from '../../scripts/vscode/codeServer.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(repo, 'test-results', 'e2e', 'graph');

const revisionFile = (rev, down, doc) => `"""${doc}\n\nRevision ID: ${rev}\n"""\nrevision = "${rev}"\ndown_revision = "${down}"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;

test('the revision graph: lanes, the database marked, upgrade from its context menu, two heads merged, a broken parent repaired', { timeout: 240_000 }, async () => {
  const paths = provision();
  const run = makeRunDir('e2e-graph');
  const workspace = copyExample(repo, 'e2e-graph-');
  const versions = path.join(workspace, 'alembic', 'versions');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'upgrade', 'abc123def456'], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
  const server = await startCodeServer({ run, workspace, smokeDriver: true });
  const context = await chromium.launchPersistentContext(path.join(run, 'chromium'), {
    executablePath: paths.chromium, headless: !process.env.HEADED, viewport: { width: 1400, height: 900 }, args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? await context.newPage();
  let step = 0;
  const shot = async (name) => page.screenshot({ path: path.join(shots, `${String(++step).padStart(2, '0')}-${name}.png`) });
  // The README's pictures (docs/images/graph-*.png are copied from these): the window's top part.
  const docShot = async (name) => page.screenshot({ path: path.join(shots, `doc-${name}.png`), clip: { x: 0, y: 0, width: 1400, height: 330 } });
  try {
    const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${repo}`], ['skipWelcome', 'true']]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await page.locator('.statusbar').waitFor();
    const activity = page.locator('.activitybar [aria-label^="Migrations"]').first();
    await activity.waitFor({ timeout: 20_000 });
    await activity.click();
    await page.locator('.statusbar-item', { hasText: 'abc123de' }).waitFor({ timeout: 20_000 });

    // The view under the tree: both titles fit the side bar, and the graph shows the revisions.
    const headers = page.locator('.part.sidebar .pane-header');
    await headers.filter({ hasText: /^Graph/i }).waitFor({ timeout: 10_000 });
    const sideView = page.frameLocator('iframe.webview[src*="purpose=webviewView"]').frameLocator('#active-frame');
    await sideView.locator('.row', { hasText: '0d4e6f8a2b19' }).waitFor({ timeout: 20_000 });
    const title = await page.locator('.part.sidebar .composite.title').innerText();
    assert.doesNotMatch(title, /\.\.\.|…/, `the side bar's title is not cut: ${title}`);
    await shot('graph-view');

    // "Migrations: Open Graph": the same graph as an editor.
    await openPalette(page, 'Migrations: Open Graph');
    await page.keyboard.press('Enter');
    const graph = page.frameLocator('iframe.webview:not([src*="purpose=webviewView"])').frameLocator('#active-frame');
    const rows = graph.locator('.row');
    const row = (id) => rows.filter({ hasText: id });
    await row('0d4e6f8a2b19').waitFor({ timeout: 20_000 });
    assert.equal(await rows.count(), 6, 'six revisions');
    const ids = (await rows.locator('.id').allInnerTexts());
    assert.deepEqual(ids, ['0d4e6f8a2b19', 'c5e8f7a1b302', '3f2a9c1d7e80', '91d0e4b2c6aa', 'abc123def456', '7beb871f4454'], 'children above parents, the branch beside');
    // Two lanes: the branch's node sits to the right of the others; the merge has two edges in.
    const cx = async (id) => Number(await graph.locator('circle.node').nth(ids.indexOf(id)).getAttribute('cx'));
    assert.ok(await cx('91d0e4b2c6aa') > await cx('3f2a9c1d7e80'), 'the second branch in its own lane');
    assert.equal(await graph.locator('path.edge:not(.depends)').count(), 6, 'six down_revision edges (the merge has two)');
    assert.match(await row('c5e8f7a1b302').innerText(), /mergepoint/);
    assert.match(await row('abc123def456').innerText(), /branchpoint/);
    assert.match(await row('91d0e4b2c6aa').innerText(), /@auth/);
    // The database's place: the current revision marked, applied and pending coloured as in the tree.
    assert.match(await row('abc123def456').innerText(), /database/);
    assert.equal(await graph.locator('circle.node.current').count(), 1);
    assert.equal(await graph.locator('circle.node.applied').count(), 1, 'the base is applied');
    assert.equal(await graph.locator('circle.node.pending').count(), 4);
    assert.match(await row('abc123def456').getAttribute('aria-label'), /abc123def456: Add webhook_url column to users table; current: the database is here; branchpoint/);
    await shot('graph-panel');

    // Hover: the tooltip the tree shows.
    await row('c5e8f7a1b302').hover();
    const tip = graph.locator('.tooltip.shown');
    await tip.waitFor({ timeout: 10_000 });
    assert.match(await tip.innerText(), /c5e8f7a1b302 \(mergepoint\) · pending[\s\S]*Parents: 3f2a9c1d7e80, 91d0e4b2c6aa[\s\S]*Created 2025-11-26 14:40:00/);
    await shot('graph-tooltip');

    // Keyboard: focus, arrows, Enter opens the file.
    await graph.locator('.scroller').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await graph.locator('.scroller').getAttribute('aria-activedescendant'), 'row-2');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: '3f2a9c1d7e80_add_terms.py' }).waitFor({ timeout: 10_000 });
    await page.locator('.tabs-container .tab', { hasText: 'Revision Graph' }).click();

    // Right click a pending revision: Upgrade to Here; the marking follows the database.
    const dialog = page.locator('.monaco-dialog-box');
    const menuItem = (label) => page.locator('.context-view .monaco-menu .action-label', { hasText: label }).first();
    for (let attempt = 1; ; attempt++) {
      await row('3f2a9c1d7e80').click({ button: 'right' });
      try { await menuItem('Upgrade to Here').waitFor({ timeout: 5_000 }); break; } catch (e) { if (attempt === 3) throw e; await page.keyboard.press('Escape'); }
    }
    const labels = await page.locator('.context-view .monaco-menu .action-label').allInnerTexts();
    assert.deepEqual(labels.filter(Boolean), ['Upgrade to Here', 'Show SQL', 'Copy Revision ID'], 'a pending revision offers what the tree offers');
    await shot('graph-context-menu');
    await menuItem('Upgrade to Here').click();
    await dialog.waitFor({ timeout: 10_000 });
    assert.match(await dialog.innerText(), /Upgrade sqlite:\/\/\/.*example\.db to 3f2a9c1d7e80\?/);
    await dialog.getByRole('button', { name: 'Upgrade' }).click();
    await graph.locator('.row', { hasText: '3f2a9c1d7e80' }).filter({ hasText: 'database' }).waitFor({ timeout: 20_000 });
    assert.doesNotMatch(await row('abc123def456').innerText(), /database/, 'the marking moved');
    assert.equal(await graph.locator('circle.node.applied').count(), 2);
    await shot('graph-upgraded');

    // A second head (written beside the editor): select both heads, merge them from the graph.
    fs.writeFileSync(path.join(versions, 'e1e2e3e4e5e6_side.py'), revisionFile('e1e2e3e4e5e6', 'c5e8f7a1b302', 'a second head'));
    await row('e1e2e3e4e5e6').waitFor({ timeout: 20_000 });
    await row('0d4e6f8a2b19').click({ modifiers: ['Control'] });
    await row('e1e2e3e4e5e6').click({ modifiers: ['Control'] });
    const merge = graph.locator('button.merge');
    await merge.waitFor({ timeout: 5_000 });
    assert.equal(await merge.innerText(), 'Merge these 2 heads');
    assert.equal(await rows.filter({ has: graph.locator('.pill.head') }).count(), 2);
    await shot('graph-two-heads');
    await merge.click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('merge side branch');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: /_merge_side_branch\.py/ }).waitFor({ timeout: 15_000 });
    const merged = fs.readdirSync(versions).find((f) => f.endsWith('_merge_side_branch.py'));
    assert.match(fs.readFileSync(path.join(versions, merged), 'utf8'), /down_revision[^\n]*\('0d4e6f8a2b19', 'e1e2e3e4e5e6'\)/);
    await page.locator('.tabs-container .tab', { hasText: 'Revision Graph' }).click();
    await rows.first().filter({ hasText: 'merge side branch' }).waitFor({ timeout: 15_000 });
    assert.equal(await rows.filter({ has: graph.locator('.pill.head') }).count(), 1, 'one head again');
    await shot('graph-merged');
    await docShot('graph-panel');

    // A down_revision naming no revision: drawn apart in the error colour, repaired from the graph.
    const broken = path.join(versions, 'f1f2f3f4f5f6_typo.py');
    fs.writeFileSync(broken, revisionFile('f1f2f3f4f5f6', '0d4e6f8a2b1', 'a typo in the parent'));
    const brokenRow = graph.locator('.row.broken', { hasText: 'f1f2f3f4f5f6' });
    await brokenRow.waitFor({ timeout: 20_000 });
    assert.match(await brokenRow.innerText(), /parent 0d4e6f8a2b1 missing/);
    assert.equal(await graph.locator('circle.node.error').count(), 1);
    await shot('graph-broken-parent');
    await docShot('graph-broken-parent');
    await brokenRow.locator('button.fix').click();
    const pick = page.locator('.quick-input-list .monaco-list-row').first();
    await pick.waitFor({ timeout: 10_000 });
    assert.match(await pick.innerText(), /0d4e6f8a2b19[\s\S]*close to 0d4e6f8a2b1/, 'the close id first');
    await shot('graph-fix-parent');
    await page.keyboard.press('Enter');
    for (const end = Date.now() + 10_000; !/down_revision = "0d4e6f8a2b19"/.test(fs.readFileSync(broken, 'utf8')); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > end) throw new Error(`the down_revision was not repaired:\n${fs.readFileSync(broken, 'utf8')}`);
    }
    await graph.locator('.row.broken').waitFor({ state: 'detached', timeout: 15_000 });
    await shot('graph-repaired');
  } catch (e) {
    await reportFailure({ shot, server, run });
    throw e;
  } finally {
    await closeScenario({ context, server, folders: [run, workspace] });
  }
});
