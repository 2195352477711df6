/* global document */
// UI scenarios in a real VS Code (code-server + Chromium): what a person sees and does. Runs once
// against the packaged VSIX installed into code-server (what users get) and once from the
// development path. Screenshots of every step go to test-results/e2e/<mode>/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { provision } from '../../scripts/vscode/provision.mjs';
import { CHROMIUM_ARGS, copyExample, extensionHostLogs, installVsix, makeRunDir, openPalette, startCodeServer } from '../../scripts/vscode/codeServer.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(repo, 'test-results', 'e2e');

function packageVsix() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-')), 'alembic-migrations.vsix');
  execFileSync(process.execPath, [path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '-o', out],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  return out;
}

/** The example's database migrated up to `revision` (by our CLI: the real schema, not just a stamp). */
function migrateTo(workspace, revision) {
  execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'upgrade', revision], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
}

async function tablesOf(file) {
  const { default: initSqlJs } = await import('sql.js');
  const SQL = await initSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  const names = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")[0].values.map((r) => r[0]);
  db.close();
  return names;
}

async function scenario(mode) {
  const paths = provision();
  const run = makeRunDir(`e2e-${mode}`);
  const workspace = copyExample(repo, 'e2e-example-');
  const dir = path.join(shots, mode);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (mode === 'vsix') {
    installVsix(run, packageVsix());
    // The README's screenshots ship with it: the extension's page shows them, not broken images.
    const [installed] = fs.readdirSync(path.join(run, 'extensions')).filter((d) => d.startsWith('migrations-tools.alembic-migrations-'));
    const images = [...fs.readFileSync(path.join(repo, 'README.md'), 'utf8').matchAll(/\]\((docs\/images\/[^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 4, 'the README shows screenshots');
    for (const image of images) assert.ok(fs.existsSync(path.join(run, 'extensions', installed, image)), `${image} is in the installed extension`);
  }
  migrateTo(workspace, 'abc123def456');
  let server = await startCodeServer({ run, workspace, smokeDriver: mode === 'dev' });
  const context = await chromium.launchPersistentContext(path.join(run, 'chromium'), {
    executablePath: paths.chromium, headless: !process.env.HEADED, viewport: { width: 1400, height: 900 }, args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? await context.newPage();
  let step = 0;
  const shot = async (name) => page.screenshot({ path: path.join(dir, `${String(++step).padStart(2, '0')}-${name}.png`) });
  try {
    let url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
    if (mode === 'dev') {
      const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${repo}`], ['skipWelcome', 'true']]);
      url += `&payload=${encodeURIComponent(payload)}`;
    }
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await page.locator('.statusbar').waitFor();
    await shot('workbench');

    // The activity bar item opens the Migrations view with the revisions, newest first.
    const activity = page.locator('.activitybar [aria-label^="Migrations"]').first();
    await activity.waitFor({ timeout: 20_000 });
    await activity.click();
    // A wider side bar, as a user reading messages would make it (and the screenshots can show them).
    const side = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(side.x + side.width + 1, side.y + 400);
    await page.mouse.down();
    await page.mouse.move(side.x + side.width + 180, side.y + 400, { steps: 8 });
    await page.mouse.up();
    const view = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: /Revisions/i }) });
    const rows = view.locator('.monaco-list-row');
    await rows.filter({ hasText: '0d4e6f8a2b19' }).waitFor({ timeout: 20_000 });
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(texts.length, 6, `six revisions in the view: ${JSON.stringify(texts)}`);
    assert.match(texts[0], /0d4e6f8a2b19.*Add onboarding_sessions/);
    assert.match(texts[1], /c5e8f7a1b302.*merge terms and api keys/);
    // The status bar tells where the database is and how much is pending.
    const status = page.locator('.statusbar-item', { hasText: 'abc123de' });
    await status.waitFor({ timeout: 10_000 });
    assert.match(await status.innerText(), /abc123de Add webhook_url column.*4/s);
    await shot('migrations-view');

    // Hovering a revision shows its parents and file.
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Parents' }).first();
    for (let attempt = 1; ; attempt++) { // the hover appears after a delay and only for a resting mouse
      await page.mouse.move(700, 600);
      await rows.filter({ hasText: 'c5e8f7a1b302' }).hover();
      try { await hover.waitFor({ timeout: 5_000 }); break; } catch (e) { if (attempt === 3) throw e; }
    }
    assert.match(await hover.innerText(), /3f2a9c1d7e80, 91d0e4b2c6aa[\s\S]*Created\s2025-11-26\s14:40:00/);
    await shot('tooltip');

    // A click opens the revision file.
    await rows.filter({ hasText: '91d0e4b2c6aa' }).click();
    await page.locator('.tabs-container .tab', { hasText: '91d0e4b2c6aa_api_keys.py' }).waitFor({ timeout: 10_000 });
    // Its CodeLens says it is not applied yet, and where it sits in the graph.
    await page.locator('.codelens-decoration', { hasText: 'pending' }).first().waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.codelens-decoration').first().innerText(), /pending/);
    await shot('revision-opened');

    // Apply it from its CodeLens: a confirmation, then the run; the CodeLens and status bar follow.
    await page.locator('.codelens-decoration a', { hasText: 'Apply (upgrade to here)' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    assert.match(await dialog.innerText(), /Upgrade sqlite:\/\/\/.*example\.db to 91d0e4b2c6aa\?[\s\S]*1 migration will run, in one transaction/);
    await shot('apply-confirm');
    await dialog.getByRole('button', { name: 'Upgrade' }).click();
    await page.locator('.codelens-decoration a', { hasText: 'Revert (downgrade to before this)' }).waitFor({ timeout: 20_000 });
    await page.locator('.statusbar-item', { hasText: '91d0e4b2' }).waitFor({ timeout: 10_000 });
    assert.ok((await tablesOf(path.join(workspace, 'example.db'))).includes('api_keys'), 'the table exists in the database file');
    await shot('applied-from-codelens');
    // ...and revert it the same way.
    await page.locator('.codelens-decoration a', { hasText: 'Revert (downgrade to before this)' }).click();
    await dialog.waitFor({ timeout: 10_000 });
    // Said in words, not as Alembic's `91d0e4b2c6aa-1`.
    assert.match(await dialog.innerText(), /Revert 91d0e4b2c6aa in sqlite:\/\/\/.*example\.db, back to abc123def456\?[\s\S]*1 migration will be reverted/);
    await dialog.getByRole('button', { name: 'Downgrade' }).click();
    await page.locator('.codelens-decoration a', { hasText: 'Apply (upgrade to here)' }).waitFor({ timeout: 20_000 });
    await page.locator('.statusbar-item', { hasText: 'abc123de' }).waitFor({ timeout: 10_000 });
    assert.ok(!(await tablesOf(path.join(workspace, 'example.db'))).includes('api_keys'));

    // SQL inside op.execute("""...""") is highlighted as SQL, not as one string.
    await rows.filter({ hasText: '0d4e6f8a2b19' }).click();
    await page.locator('.tabs-container .tab', { hasText: '0d4e6f8a2b19_onboarding_sessions.py' }).waitFor({ timeout: 10_000 });
    const token = (text) => page.locator('.view-lines span span').filter({ hasText: text }).first();
    await token(/^SELECT/).waitFor({ timeout: 10_000 });
    const sqlKeyword = await token(/^SELECT/).getAttribute('class');
    const pythonString = await token(/^'onboarding_sessions',?$/).getAttribute('class');
    assert.notEqual(sqlKeyword, pythonString, 'SELECT is colored as SQL, not as a Python string');
    await shot('sql-highlighting');

    // A new revision file, then "Migrations: Refresh" from the command palette: it is listed first.
    fs.writeFileSync(path.join(workspace, 'alembic', 'versions', 'e1f2a3b4c5d6_add_tags.py'),
      '"""Add tags table\n\nRevision ID: e1f2a3b4c5d6\n"""\nrevision = "e1f2a3b4c5d6"\ndown_revision = "0d4e6f8a2b19"\n');
    const palette = (title) => openPalette(page, title);
    await palette('Migrations: Refresh');
    await shot('command-palette');
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: 'e1f2a3b4c5d6' }).waitFor({ timeout: 10_000 });
    assert.match((await rows.first().innerText()).replace(/\s+/g, ' '), /e1f2a3b4c5d6.*Add tags table/);
    await shot('after-refresh');

    // The log says what was read.
    await palette('Migrations: Show Log');
    await page.keyboard.press('Enter');
    // Monaco renders spaces as no-break spaces.
    await page.waitForFunction(() => [...document.querySelectorAll('.panel .view-lines')]
      .some((el) => el.textContent.replace(/\u00a0/g, ' ').includes('Read 1 project(s), 7 revision(s)')), null, { timeout: 10_000 });
    await shot('log');

    // A revision without downgrade() shows up in the Problems panel.
    const noDowngrade = path.join(workspace, 'alembic', 'versions', 'f0e1d2c3b4a5_no_downgrade.py');
    fs.writeFileSync(noDowngrade,
      '"""no downgrade"""\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = "f0e1d2c3b4a5"\ndown_revision = "e1f2a3b4c5d6"\n\n\ndef upgrade():\n    op.add_column("users", sa.Column("nickname", sa.String(50)))\n');
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel').getByText(/has no downgrade\(\)/).first();
    await problem.waitFor({ timeout: 15_000 });
    await shot('problems');

    // Its quick fix writes the downgrade from the upgrade; once saved, the problem is gone.
    await problem.click(); // opens the file at the problem, the problem selected
    await page.locator('.tabs-container .tab', { hasText: 'f0e1d2c3b4a5_no_downgrade.py' }).waitFor({ timeout: 10_000 });
    /** Opens a problem's quick fixes (Ctrl+. on the selected problem), shoots them, applies `title` and saves until `file` holds `saved`. */
    const applyQuickFix = async (onProblem, title, name, file, saved) => {
      const fix = page.locator('.context-view').getByText(title).first();
      for (let attempt = 1; ; attempt++) {
        await onProblem.click();
        await page.keyboard.press('Control+.');
        try { await fix.waitFor({ timeout: 5_000 }); break; } catch (e) { if (attempt === 3) throw e; await page.keyboard.press('Escape'); }
      }
      await shot(name);
      await fix.click();
      await page.keyboard.press('Control+S');
      for (const end = Date.now() + 10_000; !fs.readFileSync(file, 'utf8').includes(saved); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > end) throw new Error(`the quick fix "${title}" was not saved`);
      }
    };
    await applyQuickFix(problem, 'Write the downgrade from the upgrade', 'quick-fix', noDowngrade, 'def downgrade');
    assert.match(fs.readFileSync(noDowngrade, 'utf8'), /def downgrade\(\) -> None:\n {4}op\.drop_column\("users", "nickname"\)\n/);
    await page.locator('.markers-panel').getByText(/No problems have been detected/).waitFor({ timeout: 15_000 });
    await shot('downgrade-written');

    // A constraint added outside batch mode (Alembic refuses it on SQLite): a warning; its quick fix
    // puts the op in its own batch_alter_table block, and the warning goes.
    fs.writeFileSync(noDowngrade, fs.readFileSync(noDowngrade, 'utf8').replace('sa.String(50)))\n',
      'sa.String(50)))\n    op.create_unique_constraint("uq_users_nickname", "users", ["nickname"])\n'));
    const batchProblem = page.locator('.markers-panel').getByText(/No support for ALTER of constraints in SQLite/).first();
    await batchProblem.waitFor({ timeout: 15_000 });
    await applyQuickFix(batchProblem, 'Run it in a batch_alter_table block', 'batch-quick-fix', noDowngrade, 'batch_alter_table');
    assert.match(fs.readFileSync(noDowngrade, 'utf8'), /\n {4}with op\.batch_alter_table\("users"\) as batch_op:\n {8}batch_op\.create_unique_constraint\("uq_users_nickname", \["nickname"\]\)\n/);
    await page.locator('.markers-panel').getByText(/No problems have been detected/).waitFor({ timeout: 15_000 });
    await shot('batch-written');

    // From the view: "Upgrade to Here" on a pending revision, then "Downgrade One Step" from the view's title.
    // With the Graph view below it, the Revisions view's title actions show while its header is hovered.
    const sidebarAction = (label) => ({
      click: async () => {
        await page.locator('.part.sidebar .pane-header', { hasText: /^Revisions/i }).hover();
        await page.locator(`.part.sidebar .action-label[aria-label^="${label}"]`).first().click();
      },
    });
    // A click can land while the view re-renders its rows after the save: then once more.
    const clickForDialog = async (click) => {
      for (let attempt = 1; ; attempt++) {
        await click();
        try { await dialog.waitFor({ timeout: 5_000 }); return; } catch (e) { if (attempt === 3) throw e; }
      }
    };
    const terms = rows.filter({ hasText: '3f2a9c1d7e80' });
    await clickForDialog(async () => {
      await terms.hover();
      await terms.locator('.action-label[aria-label^="Upgrade to Here"]').click();
    });
    assert.match(await dialog.innerText(), /Upgrade sqlite:\/\/\/.*example\.db to 3f2a9c1d7e80\?/);
    await dialog.getByRole('button', { name: 'Upgrade' }).click();
    await page.locator('.statusbar-item', { hasText: '3f2a9c1d' }).waitFor({ timeout: 20_000 });
    assert.ok((await tablesOf(path.join(workspace, 'example.db'))).includes('terms'), 'the terms table exists in the database file');
    await shot('upgraded-from-view');
    await clickForDialog(() => sidebarAction('Downgrade One Step').click());
    await dialog.getByRole('button', { name: 'Downgrade' }).click();
    await page.locator('.statusbar-item', { hasText: 'abc123de' }).waitFor({ timeout: 20_000 });
    assert.ok(!(await tablesOf(path.join(workspace, 'example.db'))).includes('terms'), 'and is gone after the downgrade');

    // "New Revision..." from the view's title: a message, then the file on the head opens and leads the view.
    await sidebarAction('New Revision').click();
    const message = page.locator('.quick-input-widget input');
    await message.waitFor({ state: 'visible', timeout: 10_000 });
    await message.fill('add tag colors');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: /_add_tag_colors\.py/ }).waitFor({ timeout: 15_000 });
    const created = fs.readdirSync(path.join(workspace, 'alembic', 'versions')).filter((f) => f.endsWith('_add_tag_colors.py'));
    assert.equal(created.length, 1, `one new revision file: ${created}`);
    const newest = created[0].slice(0, 12);
    assert.match(fs.readFileSync(path.join(workspace, 'alembic', 'versions', created[0]), 'utf8'), /^down_revision\b.*= '?"?f0e1d2c3b4a5/m, 'on the head');
    await rows.first().filter({ hasText: 'add tag colors' }).waitFor({ timeout: 10_000 });
    await shot('new-revision');

    if (mode === 'vsix') {
      // Cancel in the progress notification rolls the run back. A revision of 40 statements of a
      // fraction of a second each (the extension host is busy meanwhile; the cancel is seen before the
      // next statement): on a loaded machine the run still lasts far longer than the click takes.
      const slow = path.join(workspace, 'alembic', 'versions', 'c0ffee000001_slow.py');
      fs.writeFileSync(slow, '"""slow backfill"""\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = "c0ffee000001"\ndown_revision = "abc123def456"\n\n\n'
        + 'def upgrade():\n    for _ in range(40):\n        op.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c")\n'
        + '    op.create_table("backfilled", sa.Column("id", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table("backfilled")\n');
      const dbBefore = fs.readFileSync(path.join(workspace, 'example.db'));
      const slowRow = rows.filter({ hasText: 'c0ffee000001' });
      await slowRow.waitFor({ timeout: 15_000 });
      await clickForDialog(async () => {
        await slowRow.hover();
        await slowRow.locator('.action-label[aria-label^="Upgrade to Here"]').click();
      });
      await dialog.getByRole('button', { name: 'Upgrade' }).click();
      const progress = page.locator('.notification-toast', { hasText: 'Migrations: upgrade c0ffee000001' });
      const cancelled = page.locator('.notification-toast', { hasText: 'cancelled; everything the run did was rolled back' });
      await progress.getByRole('button', { name: 'Cancel' }).click({ timeout: 10_000 });
      // A click lost under load leaves the progress up: click again rather than wait for the run's end.
      for (let i = 0; i < 3 && !(await cancelled.isVisible()); i++) {
        if (await cancelled.waitFor({ timeout: 8_000 }).then(() => true, () => false)) break;
        if (await progress.isVisible()) await progress.getByRole('button', { name: 'Cancel' }).click({ timeout: 2_000 }).catch(() => {});
      }
      await cancelled.waitFor({ timeout: 30_000 });
      await shot('cancelled');
      assert.ok(fs.readFileSync(path.join(workspace, 'example.db')).equals(dbBefore), 'the database file is as before the run');
      assert.match(await page.locator('.statusbar-item', { hasText: 'abc123de' }).innerText(), /abc123de/);
      fs.rmSync(slow);
      await slowRow.waitFor({ state: 'detached', timeout: 15_000 });
    }

    // The walkthrough a new user is offered.
    await palette('Welcome: Open Walkthrough');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget input').fill('Alembic');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Alembic Migrations' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.getByText('Point at your database').first().waitFor({ timeout: 15_000 });
    await shot('walkthrough');

    if (mode === 'dev') {
      // The next start: the view (restored open) shows last session's first page at once, then the
      // files' own rows replace it; a message edited while VS Code was closed is shown as it is now.
      const storage = path.join(run, 'user-data', 'User', 'globalStorage', 'migrations-tools.alembic-migrations');
      const snapshotHas = (id) => fs.existsSync(storage) && fs.readdirSync(storage).some((f) => f.startsWith('view-') && fs.readFileSync(path.join(storage, f), 'utf8').includes(id));
      for (const end = Date.now() + 15_000; !snapshotHas(newest);) {
        if (Date.now() > end) throw new Error(`no view snapshot with the newest revision in ${storage}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await page.goto('about:blank');
      server.stop();
      for (const end = Date.now() + 10_000; Date.now() < end;) { // the port is free once the old server is gone
        try { await fetch(`${server.url}/healthz`); } catch { break; }
        await new Promise((r) => setTimeout(r, 100));
      }
      const edited = path.join(workspace, 'alembic', 'versions', 'e1f2a3b4c5d6_add_tags.py');
      fs.writeFileSync(edited, fs.readFileSync(edited, 'utf8').replace('Add tags table', 'Add tags and labels tables'));
      fs.rmSync(path.join(run, 'user-data', 'logs'), { recursive: true, force: true });
      server = await startCodeServer({ run, workspace, smokeDriver: true, port: server.port });
      await page.goto(url);
      await rows.filter({ hasText: newest }).waitFor({ timeout: 30_000 });
      await rows.filter({ hasText: 'Add tags and labels tables' }).waitFor({ timeout: 20_000 });
      assert.equal((await rows.allInnerTexts()).length, 9, 'the nine revisions, once');
      // Which rows VS Code got first depends on when it asks (the scan of 8 files is over in
      // milliseconds); that the snapshot was read, and which came first, is in the log.
      const log = extensionHostLogs(run);
      assert.match(log, /View snapshot of 1 project\(s\) read from /);
      assert.match(log, /View rows: 9 given to VS Code [\d.]+ ms after activation \(from (the last session's snapshot|the revision files)\)/);
      await shot('next-start');
    }
  } catch (e) {
    await shot('failure').catch(() => undefined);
    process.stderr.write(`\n--- code-server output\n${server.output().slice(-4000)}\n${extensionHostLogs(run)}\n`);
    throw e;
  } finally {
    await context.close().catch(() => undefined);
    server.stop();
    if (!process.env.KEEP_RUN) { fs.rmSync(run, { recursive: true, force: true }); fs.rmSync(workspace, { recursive: true, force: true }); }
  }
}

test('installed from the VSIX: the view, tooltip, CodeLens apply/revert, palette, log, quick fix, view actions, new revision', { timeout: 240_000 }, () => scenario('vsix'));
test('from the development path: the same scenario', { timeout: 240_000 }, () => scenario('dev'));
