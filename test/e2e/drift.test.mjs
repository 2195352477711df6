/* global document */
// Drift as a person sees it in a real VS Code (code-server + Chromium): a SQLite database upgraded
// to head, then changed by hand (a column and an index). Check Drift adds the Drift row with one
// child per difference and the status bar warns; New Revision from Database Drift writes the
// revision and, stamped, the Drift row says none. Screenshots go to test-results/e2e/drift/;
// UPDATE_README_IMAGES=1 also copies the drift view to docs/images/drift-view.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from '../../scripts/vscode/provision.mjs';
import { closeScenario, makeRunDir, openInstalledWindow, openPalette, reportFailure, screenshots } from '../../scripts/vscode/codeServer.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(repo, 'test-results', 'e2e', 'drift');
const readmeImage = path.join(repo, 'docs', 'images', 'drift-view.png');

/** The verify fixture upgraded to head by our CLI, then changed by hand through sql.js. */
async function driftedWorkspace() {
  const parent = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-drift-')));
  const dest = path.join(parent, 'users-service');
  fs.cpSync(path.join(repo, 'test', 'fixtures', 'verify', 'project'), dest, { recursive: true, filter: (p) => !p.endsWith('.db') });
  execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'upgrade', 'head'], { cwd: dest, stdio: 'pipe', env: { ...process.env, MIGRATIONS_BACKUPS: '0' } });
  const { default: initSqlJs } = await import('sql.js');
  const SQL = await initSqlJs();
  const file = path.join(dest, 'app.db');
  const db = new SQL.Database(fs.readFileSync(file));
  db.run('ALTER TABLE users ADD COLUMN nickname VARCHAR(50)');
  db.run('CREATE INDEX ix_users_name ON users (name)');
  fs.writeFileSync(file, db.export());
  db.close();
  fs.mkdirSync(path.join(dest, '.vscode'));
  fs.writeFileSync(path.join(dest, '.vscode', 'settings.json'), JSON.stringify({ 'alembicMigrations.confirmDatabaseWrites': false }));
  return dest;
}

test('drift in the Migrations view: check, the differences and the status bar, a revision written from them and stamped', { timeout: 240_000 }, async () => {
  provision();
  const run = makeRunDir('e2e-drift');
  const workspace = await driftedWorkspace();
  const { server, context, page } = await openInstalledWindow({ run, workspace, repo });
  const shot = screenshots(page, shots);
  const palette = async (title) => { await openPalette(page, title); await page.keyboard.press('Enter'); };
  try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    const view = page.locator('.activitybar [aria-label^="Migrations"]').first();
    await view.waitFor({ timeout: 30_000 });
    await view.click();
    const rows = page.locator('.part.sidebar .monaco-list-row');
    const row = (text) => rows.filter({ hasText: text }).first();
    await row('c3a5b7c9d1e2').waitFor({ timeout: 30_000 });
    // A wider side bar, as one gives a view one reads.
    const side = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(side.x + side.width + 1, side.y + 400);
    await page.mouse.down();
    await page.mouse.move(side.x + side.width + 260, side.y + 400, { steps: 8 });
    await page.mouse.up();
    const status = page.locator('.statusbar-item', { hasText: 'c3a5b7c9' }).first();
    await status.waitFor({ timeout: 30_000 });

    await palette('Migrations: Check Drift');
    await row('Drift').filter({ hasText: '2 differences' }).waitFor({ timeout: 60_000 });
    await row('users.nickname').waitFor({ timeout: 10_000 });
    await row('ix_users_name').waitFor({ timeout: 10_000 });
    assert.match(await status.innerText(), /drift/, 'the status bar warns');
    const viewShot = await shot('drift-found');
    if (process.env.UPDATE_README_IMAGES) fs.copyFileSync(viewShot, readmeImage);

    // New Revision from Database Drift: the message box (Enter takes the proposed one), the file opens,
    // and the notification offers to stamp the database at it.
    await palette('Migrations: New Revision from Database Drift...');
    // The box opens once the fresh drift check is done; its title says whose drift.
    await page.locator('.quick-input-widget', { hasText: 'New revision from the drift of users-service' }).waitFor({ timeout: 60_000 });
    await page.locator('.quick-input-widget input').fill('nickname and name index');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'nickname_and_name_index.py' }).waitFor({ timeout: 60_000 });
    const stamp = page.locator('.notification-toast .monaco-button', { hasText: 'Stamp Database' }).first();
    await stamp.waitFor({ timeout: 30_000 });
    await shot('revision-written');
    await stamp.click();
    await row('Drift').filter({ hasText: 'none' }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => ![...document.querySelectorAll('.statusbar-item')].some((e) => /drift/.test(e.textContent ?? '')), null, { timeout: 30_000 });
    await shot('stamped-no-drift');
    const written = fs.readdirSync(path.join(workspace, 'alembic', 'versions')).find((f) => f.endsWith('nickname_and_name_index.py'));
    assert.ok(written, 'the revision file is in the project');
    assert.match(fs.readFileSync(path.join(workspace, 'alembic', 'versions', written), 'utf8'), /batch_op\.add_column\(sa\.Column\('nickname'/);
  } catch (e) {
    await reportFailure({ shot, server, run });
    throw e;
  } finally {
    await closeScenario({ context, server, folders: [run, path.dirname(workspace)] });
  }
});
