/* global document */
// "Verify" as a person sees it in a real VS Code (code-server + Chromium): the Testing view lists
// the project's revisions with one item per scratch database; Run All checks them; the failing
// ones show with their schema difference, in the explorer and in the editor's peek at the
// downgrade. Screenshots go to test-results/e2e/verify/; UPDATE_README_IMAGES=1 also copies the
// last one to docs/images/verify-test-explorer.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from '../../scripts/vscode/provision.mjs';
import { extensionHostLogs, makeRunDir, openInstalledWindow, openPalette, screenshots } from '../../scripts/vscode/codeServer.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(repo, 'test-results', 'e2e', 'verify');
const readmeImage = path.join(repo, 'docs', 'images', 'verify-test-explorer.png');
const INDEX = 'b2e4d6f8a0c1';
const ENUM = 'c3a5b7c9d1e2';
const GOOD = 'a1f3c2d4e5b6';

/** The verify fixture as a project folder of its own (the folder's name is the project's label). */
function fixtureWorkspace() {
  const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-verify-')));
  const dest = path.join(parent, 'users-service');
  fs.cpSync(path.join(repo, 'test', 'fixtures', 'verify', 'project'), dest, { recursive: true, filter: (p) => !p.endsWith('.db') });
  return dest;
}

test('verify in the Testing view: run all, the failing revisions with their schema difference, the peek at the downgrade', { timeout: 240_000 }, async () => {
  provision();
  const run = makeRunDir('e2e-verify');
  const workspace = fixtureWorkspace();
  const { server, context, page } = await openInstalledWindow({ run, workspace, repo });
  const shot = screenshots(page, shots);
  const palette = async (title) => { await openPalette(page, title); await page.keyboard.press('Enter'); };
  try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await page.locator('.statusbar').waitFor();

    // The Testing view lists the project, its revisions oldest first, and a database under each.
    const testing = page.locator('.activitybar [aria-label^="Testing"]').first();
    await testing.waitFor({ timeout: 30_000 });
    await testing.click();
    const side = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(side.x + side.width + 1, side.y + 400);
    await page.mouse.down();
    await page.mouse.move(side.x + side.width + 200, side.y + 400, { steps: 8 });
    await page.mouse.up();
    const rows = page.locator('.part.sidebar .test-explorer .monaco-list-row');
    const row = (text) => rows.filter({ hasText: text }).first();
    await row('users-service').waitFor({ timeout: 30_000 });
    const expand = async (text) => {
      const r = row(text);
      if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
    };
    await expand('users-service');
    await row(INDEX).waitFor({ timeout: 10_000 });
    const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.deepEqual(labels.slice(1, 4).map((l) => l.slice(0, 12)), [GOOD, INDEX, ENUM], `revisions oldest first: ${JSON.stringify(labels)}`);
    await expand(INDEX);
    await row('PostgreSQL').waitFor({ timeout: 10_000 });
    await shot('listed');

    // Run All: the two broken downgrades fail, the good revision passes. A row's state is in its aria-label.
    await palette('Test: Run All Tests');
    await page.waitForFunction(() => {
      const labels = [...document.querySelectorAll('.part.sidebar .test-explorer .monaco-list-row')].map((e) => e.getAttribute('aria-label') ?? '');
      return labels.length >= 6 && labels.every((l) => /\((Passed|Failed|Errored|Skipped)\)(, in .*)?$/.test(l));
    }, null, { timeout: 120_000 });
    await shot('run-all-done');
    await expand(ENUM);
    await page.waitForFunction(() => document.querySelectorAll('.part.sidebar .test-explorer .monaco-list-row').length >= 8);
    const states = async () => {
      const list = await rows.evaluateAll((els) => els.map((e) => ({ label: e.querySelector('.label')?.firstChild?.textContent ?? '', aria: e.getAttribute('aria-label') ?? '' })));
      let revision = '';
      return list.map(({ label, aria }) => {
        const state = /\((\w+)\)(, in .*)?$/.exec(aria)?.[1] ?? 'none';
        if (/^[0-9a-f]{12} /.test(label)) return `${revision = label.slice(0, 12)}: ${state}`;
        return /^(SQLite|PostgreSQL)$/.test(label) ? `${revision} ${label}: ${state}` : `${label}: ${state}`;
      });
    };
    assert.deepEqual(await states(), ['users-service: Failed', `${GOOD}: Passed`,
      `${INDEX}: Failed`, `${INDEX} SQLite: Failed`, `${INDEX} PostgreSQL: Failed`,
      `${ENUM}: Failed`, `${ENUM} SQLite: Passed`, `${ENUM} PostgreSQL: Failed`], 'the ENUM type only exists on PostgreSQL');
    await shot('failures-expanded');

    // The revision file: its Verify CodeLens runs it again; the failure opens in a peek at the downgrade.
    await palette('Go to File');
    await page.keyboard.type('b2_users_name_index.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'b2_users_name_index.py' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'b2_users_name_index.py' }).waitFor({ timeout: 10_000 });
    const verifyLens = page.locator('.codelens-decoration a', { hasText: 'Verify' });
    await verifyLens.waitFor({ timeout: 15_000 });
    await verifyLens.click();
    // That run checks the revision on its two databases: both fail, shown at `def downgrade` in the gutter and inline.
    await page.locator('.part.sidebar .result-summary', { hasText: '0/2' }).waitFor({ timeout: 60_000 });
    const inline = page.locator('.test-error-content-widget').getByText(/after downgrade of b2e4d6f8a0c1: index ix_users_created_at on users is still there/).first();
    await inline.waitFor({ timeout: 15_000 });
    await shot('gutter-and-inline');
    // A click on the inline message opens the peek with the whole message, where the downgrade is.
    // The toggle's keypress can be lost on a loaded machine: toggle again only while the panel still shows.
    const panel = page.locator('.part.panel');
    for (let i = 0; i < 3 && await panel.isVisible(); i++) {
      await palette('View: Toggle Panel Visibility');
      await panel.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }
    await panel.waitFor({ state: 'hidden', timeout: 5_000 });
    await inline.click();
    const peek = page.locator('.peekview-widget').first();
    await peek.waitFor({ timeout: 15_000 });
    await peek.getByText(/ix_users_created_at on users is still there/).first().waitFor({ timeout: 15_000 });
    const peekText = (await peek.innerText()).replace(/\s+/g, ' ');
    assert.match(peekText, /after downgrade of b2e4d6f8a0c1: index ix_users_created_at on users is still there/, `the peek shows the difference: ${peekText}`);
    const cursorLine = await page.locator('.statusbar-item', { hasText: /^Ln \d+/ }).first().innerText();
    const downgradeAt = fs.readFileSync(path.join(workspace, 'alembic', 'versions', 'b2_users_name_index.py'), 'utf8').split('\n').findIndex((l) => l.startsWith('def downgrade')) + 1;
    assert.match(cursorLine, new RegExp(`^Ln ${downgradeAt},`), `the peek opens at def downgrade (line ${downgradeAt}): ${cursorLine}`);
    const image = await shot('peek-at-downgrade');
    // The README's picture is refreshed on request only (a test run must not change tracked files).
    if (process.env.UPDATE_README_IMAGES) fs.copyFileSync(image, readmeImage);
  } catch (e) {
    await shot('failure').catch(() => undefined);
    if (process.env.DUMP_DOM) fs.writeFileSync(path.join(shots, 'dom.html'), await page.content().catch(() => ''));
    process.stderr.write(`\n--- code-server output\n${server.output().slice(-4000)}\n${extensionHostLogs(run)}\n`);
    throw e;
  } finally {
    await context.close().catch(() => undefined);
    server.stop();
    if (!process.env.KEEP_RUN) { fs.rmSync(run, { recursive: true, force: true }); fs.rmSync(path.dirname(workspace), { recursive: true, force: true }); }
  }
});
