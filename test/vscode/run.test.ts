/**
 * Running migrations from the real VS Code: CodeLens Apply / Revert, the view's title actions,
 * Show SQL, New Revision, Merge Heads (quick fix), and a migration the engine evaluates in part.
 * Every check reads the SQLite file itself (sql.js) or the extension's own state.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
type SqlJs = { Database: new (b?: Uint8Array) => { exec(sql: string): { values: unknown[][] }[]; close(): void } };

async function api(): Promise<ExtensionApi> {
  const exports = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
  await exports.store.ready;
  return exports;
}

describe('Running migrations from the editor', () => {
  let a: ExtensionApi;
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const dbFile = () => path.join(workspace(), 'example.db');
  const versions = () => path.join(workspace(), 'alembic', 'versions');
  const root = () => a.store.all[0].found.root;

  async function tables(): Promise<string[]> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const SQL = await (require('sql.js') as () => Promise<SqlJs>)();
    const db = new SQL.Database(fs.readFileSync(dbFile()));
    const names = (db.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")[0]?.values ?? []).map((r) => String(r[0]));
    db.close();
    return names;
  }
  /** A table's CREATE statement, as the SQLite file holds it now. */
  async function tableSql(table: string): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const SQL = await (require('sql.js') as () => Promise<SqlJs>)();
    const db = new SQL.Database(fs.readFileSync(dbFile()));
    try { return String(db.exec(`SELECT sql FROM sqlite_master WHERE name = '${table}'`)[0].values[0][0]); } finally { db.close(); }
  }
  const heads = () => { const db = a.store.all[0].db; return db?.status === 'ok' ? db.heads : undefined; };

  async function lenses(name: string): Promise<vscode.CodeLens[]> {
    const doc = await vscode.workspace.openTextDocument(path.join(versions(), name));
    return vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
  }

  /** Writes a revision file, refreshes, gives its document to `body`, then removes it (and runs `cleanup`) whatever happened. */
  async function withRevision(name: string, lines: string[], body: (doc: vscode.TextDocument) => Promise<void>, cleanup?: () => void): Promise<void> {
    const file = path.join(versions(), name);
    fs.writeFileSync(file, lines.join('\n'));
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      await body(await vscode.workspace.openTextDocument(file));
    } finally {
      fs.rmSync(file, { force: true });
      cleanup?.();
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  }

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', false, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(dbFile(), { force: true });
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  });
  after(async () => {
    fs.rmSync(dbFile(), { force: true });
    fs.rmSync(path.join(workspace(), '.migrations-backups'), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  });

  it('applies a pending revision from its CodeLens, then reverts it from the new CodeLens', async () => {
    assert.deepEqual(heads(), []);
    const apply = (await lenses('7beb871f4454_initial_schema.py')).find((l) => l.command?.title.includes('Apply (upgrade to here)'));
    assert.ok(apply, 'a pending revision offers Apply');
    const r = await vscode.commands.executeCommand<{ ok: boolean; steps: number }>(apply.command!.command, ...apply.command!.arguments!);
    assert.deepEqual({ ok: r.ok, steps: r.steps }, { ok: true, steps: 1 });
    assert.deepEqual(heads(), ['7beb871f4454']);
    assert.ok((await tables()).includes('users'), 'the migration created its tables in the file');
    const revert = (await lenses('7beb871f4454_initial_schema.py')).find((l) => l.command?.title.includes('Revert'));
    assert.ok(revert, 'an applied revision offers Revert');
    await vscode.commands.executeCommand(revert.command!.command, ...revert.command!.arguments!);
    assert.deepEqual(heads(), []);
    assert.deepEqual(await tables(), ['alembic_version'], 'its tables are gone; the version table stays, as with Alembic');
  });

  it('upgrades to head and downgrades one step from the view; the view and status bar follow', async () => {
    const up = await vscode.commands.executeCommand<{ ok: boolean; steps: number }>('alembicMigrations.upgradeHead', { root: root() });
    assert.equal(up.ok, true);
    assert.equal(up.steps, 6);
    assert.deepEqual(heads(), ['0d4e6f8a2b19']);
    const items = await Promise.all((await a.tree.getChildren()).map((n) => a.tree.getTreeItem(n)));
    assert.equal(items[0].contextValue, 'revision.current');
    assert.ok(items.slice(1).every((i) => i.contextValue === 'revision.applied'));
    assert.match(a.statusBar.item.text, /0d4e6f8a Add onboarding_sessions/);
    // What the run compiled is kept for the next run, in the extension's storage.
    const storage = path.dirname(a.snapshotFile!);
    const plans = fs.readdirSync(storage).find((f) => f.startsWith('plans-'));
    assert.ok(plans, `a plan cache in ${storage}`);
    const keys = (JSON.parse(fs.readFileSync(path.join(storage, plans), 'utf8')) as { entries: [string, unknown][] }).entries.map(([k]) => k);
    assert.ok(keys.some((k) => /^sqlite(@[\d.]+)?(\+[0-9a-f]+)?:upgrade:/.test(k) && k.endsWith('0d4e6f8a2b19_onboarding_sessions.py')), keys.join('\n'));
    await vscode.commands.executeCommand('alembicMigrations.downgradeOne', { root: root() });
    assert.deepEqual(heads(), ['c5e8f7a1b302']);
    assert.ok(!(await tables()).includes('onboarding_sessions'));
  });

  it('saves unsaved edits of a revision before running it: the run does what the editor shows', async () => {
    const file = path.join(versions(), '0d4e6f8a2b19_onboarding_sessions.py');
    const original = fs.readFileSync(file, 'utf8');
    try {
      assert.deepEqual(heads(), ['c5e8f7a1b302'], 'the revision is pending');
      const doc = await vscode.workspace.openTextDocument(file);
      const editor = await vscode.window.showTextDocument(doc);
      const lineAfter = (def: string) => doc.getText().split('\n').findIndex((l) => l.startsWith(def)) + 1;
      await editor.edit((e) => {
        e.insert(new vscode.Position(lineAfter('def upgrade'), 0), "    op.create_table('typed_not_saved', sa.Column('id', sa.Integer(), primary_key=True))\n");
        e.insert(new vscode.Position(lineAfter('def downgrade'), 0), "    op.drop_table('typed_not_saved')\n");
      });
      assert.ok(doc.isDirty);
      const r = await vscode.commands.executeCommand<{ ok: boolean; steps: number }>('alembicMigrations.upgradeTo', { root: root(), revision: '0d4e6f8a2b19' });
      assert.deepEqual({ ok: r.ok, steps: r.steps }, { ok: true, steps: 1 });
      assert.equal(doc.isDirty, false, 'the file was saved first');
      assert.ok((await tables()).includes('typed_not_saved'), 'and the run used the edit');
      await vscode.commands.executeCommand('alembicMigrations.downgradeOne', { root: root() });
      assert.ok(!(await tables()).includes('typed_not_saved'));
    } finally {
      fs.writeFileSync(file, original);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });

  it('keeps a backup from before each run, and restores one', async () => {
    const folder = path.join(workspace(), '.migrations-backups');
    const backups = fs.readdirSync(folder).filter((f) => f.startsWith('example.db.')).sort().reverse();
    assert.ok(backups.length >= 2, `backups: ${backups.join(', ')}`);
    // The newest backup is the database before the last run (the downgrade): at head.
    await vscode.commands.executeCommand('alembicMigrations.restoreBackup', { root: root(), backup: path.join(folder, backups[0]), confirm: false });
    assert.deepEqual(heads(), ['0d4e6f8a2b19']);
    await vscode.commands.executeCommand('alembicMigrations.downgradeOne', { root: root() });
    assert.deepEqual(heads(), ['c5e8f7a1b302']);
  });

  it('shows the SQL of a revision in an SQL editor without running it', async () => {
    const before = crypto.createHash('sha256').update(fs.readFileSync(dbFile())).digest('hex');
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('alembicMigrations.showSql', { root: root(), revision: '0d4e6f8a2b19', direction: 'upgrade' });
    assert.equal(doc.languageId, 'sql');
    // Read-only, titled after the revision, nothing to save when it is closed.
    assert.equal(doc.uri.scheme, 'alembic-migrations-shown');
    assert.equal(path.posix.basename(doc.uri.path), '0d4e6f8a2b19 upgrade.sql');
    assert.equal(doc.isDirty, false);
    assert.match(doc.getText(), /CREATE TABLE onboarding_sessions \(\n {4}id INTEGER NOT NULL, /);
    assert.match(doc.getText(), /UPDATE alembic_version SET version_num='0d4e6f8a2b19' WHERE alembic_version\.version_num = 'c5e8f7a1b302';/);
    assert.equal(crypto.createHash('sha256').update(fs.readFileSync(dbFile())).digest('hex'), before, 'nothing ran');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // From the palette, with a revision file open: that revision's SQL.
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(versions(), '3f2a9c1d7e80_add_terms.py')));
    const down = await vscode.commands.executeCommand<vscode.TextDocument>('alembicMigrations.showSql', { direction: 'downgrade' });
    assert.equal(path.posix.basename(down.uri.path), '3f2a9c1d7e80 downgrade.sql');
    assert.match(down.getText(), /DROP TABLE terms;/);
    assert.match(down.getText(), /-- Running downgrade 3f2a9c1d7e80 -> abc123def456/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('creates a new revision on the head, from the project template', async () => {
    const file = await vscode.commands.executeCommand<string>('alembicMigrations.newRevision', { root: root(), message: 'add tags table' });
    try {
      assert.match(path.basename(file), /^[0-9a-f]{12}_add_tags_table\.py$/);
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /^"""add tags table\n\nRevision ID: [0-9a-f]{12}\nRevises: 0d4e6f8a2b19\n/);
      assert.match(text, /\ndown_revision(: [^=]+)? = '0d4e6f8a2b19'\n/);
      assert.equal(vscode.window.activeTextEditor?.document.fileName, file, 'the new file is opened');
      assert.equal(a.store.all[0].dir!.map.heads[0], path.basename(file).slice(0, 12));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });

  it('offers to merge several heads from the diagnostic, and writes the merge revision', async () => {
    const second = path.join(versions(), 'aaaa00000001_side_branch.py');
    fs.writeFileSync(second, '"""side branch\n\nRevision ID: aaaa00000001\n"""\nfrom alembic import op\n\nrevision = "aaaa00000001"\ndown_revision = "c5e8f7a1b302"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.execute("SELECT 1")\n\n\ndef downgrade():\n    op.execute("SELECT 1")\n');
    let merged: string | undefined;
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const doc = await vscode.workspace.openTextDocument(second);
      await vscode.window.showTextDocument(doc);
      const diag = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'multiple-heads'));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
      const fix = actions.find((x) => x.title === 'Merge the heads into a new revision');
      assert.ok(fix?.command, 'the quick fix is offered');
      merged = await vscode.commands.executeCommand<string>(fix.command.command, { ...fix.command.arguments![0], message: 'merge side branch' });
      const text = fs.readFileSync(merged!, 'utf8');
      assert.match(text, /\ndown_revision(: [^=]+)? = \('(0d4e6f8a2b19|aaaa00000001)', '(0d4e6f8a2b19|aaaa00000001)'\)\n/);
      assert.equal(a.store.all[0].dir!.map.heads.length, 1, 'one head again');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(second, { force: true });
      if (merged) fs.rmSync(merged, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });

  it('evaluates loops and f-strings; flags what it cannot run and Python errors; a run over them stops before changing anything', async () => {
    const lines = [
      '"""loop', '', 'Revision ID: bbbb00000002', '"""', 'from alembic import op', '', 'revision = "bbbb00000002"', 'down_revision = "0d4e6f8a2b19"', '', '',
      'def upgrade():', // line 11
      '    for t in ("a", "b"):', '        op.execute(f"CREATE TABLE t_{t} (id INTEGER)")', // 12-13: evaluated, not flagged
      '    try:', '        op.execute("CREATE TABLE t_c (id INTEGER)")', '    except Exception:', '        pass', // 14: refused
      '', '', 'def downgrade():', // 20
      '    op.execute(DROP_B)', // 21: NameError
      '',
    ];
    await withRevision('bbbb00000002_loop.py', lines, async (doc) => {
      const diag = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'not-embedded'));
      assert.equal(diag.severity, vscode.DiagnosticSeverity.Information);
      assert.equal(diag.range.start.line, 13, 'on the try, not on the loop above it');
      assert.match(diag.message, /whether the database raises here is known only when its statements run.*Run with Alembic/);
      const error = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'python-error'));
      assert.equal(error.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(error.range.start.line, 20);
      assert.match(error.message, /downgrade\(\) fails: NameError: name 'DROP_B' is not defined/);
      assert.equal(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.range.start.line === 11 || d.range.start.line === 12).length, 0, 'the loop is evaluated, not flagged');
      const before = crypto.createHash('sha256').update(fs.readFileSync(dbFile())).digest('hex');
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', { root: root() });
      assert.equal(r.ok, false);
      assert.match(r.message, /bbbb00000002_loop\.py:14/);
      assert.equal(crypto.createHash('sha256').update(fs.readFileSync(dbFile())).digest('hex'), before, 'c5e8 -> 0d4e did not run either');
    });
  });

  it('reads a library installed in the project\'s .venv: flagged without it, saying where it looked; not flagged once it is there', async () => {
    const venv = path.join(workspace(), '.venv');
    const lines = [
      '"""lib', '', 'Revision ID: bbbb00000003', '"""', 'from alembic import op', 'import sqlalchemy as sa', 'from extlib.db import constants', '',
      'revision = "bbbb00000003"', 'down_revision = "c5e8f7a1b302"', '', '',
      'def upgrade():', // line 13
      '    op.create_table("libs", sa.Column("id", sa.Integer, primary_key=True), sa.Column("uuid", sa.String(constants.UUID_FIELD_SIZE)))', // 14
      '', '', 'def downgrade():', '    op.drop_table("libs")', '',
    ];
    await withRevision('bbbb00000003_lib.py', lines, async (doc) => {
      const diag = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'not-embedded'));
      assert.equal(diag.range.start.line, 13);
      assert.match(diag.message, /extlib\.db\.constants\.UUID_FIELD_SIZE: it is not a module of the project nor a Python source of its virtualenv \(\.venv, venv or env in the project folder\)/);
      // As `uv sync` / `pip install` leave it: the library's source in the virtualenv's site-packages.
      const site = path.join(venv, 'lib', 'python3.12', 'site-packages', 'extlib');
      fs.mkdirSync(path.join(site, 'db'), { recursive: true });
      fs.writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
      fs.writeFileSync(path.join(site, '__init__.py'), 'import pbr.version\n');
      fs.writeFileSync(path.join(site, 'db', '__init__.py'), '');
      fs.writeFileSync(path.join(site, 'db', 'constants.py'), 'UUID_FIELD_SIZE = 36\n');
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      await waitFor(() => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'not-embedded') ? undefined : true));
    }, () => fs.rmSync(venv, { recursive: true, force: true }));
  });

  it('alter_column(nullable=...) outside batch on SQLite: an info under it (older SQLite fails there), and the run drops NOT NULL in place', async () => {
    const lines = [
      '"""nullable', '', 'Revision ID: bbbb00000004', '"""', 'from alembic import op', '', 'revision = "bbbb00000004"', 'down_revision = "0d4e6f8a2b19"', '', '',
      'def upgrade():', // line 11
      '    op.alter_column("onboarding_sessions", "step", nullable=True)', // 12
      '', '', 'def downgrade():', '    op.alter_column("onboarding_sessions", "step", nullable=False)', '',
    ];
    const saved = fs.existsSync(dbFile()) ? fs.readFileSync(dbFile()) : undefined;
    await withRevision('bbbb00000004_nullable.py', lines, async (doc) => {
      const info = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'older-database-fails'));
      assert.equal(info.severity, vscode.DiagnosticSeverity.Information);
      assert.equal(info.range.start.line, 11);
      assert.match(info.message, /SET \/ DROP NOT NULL runs on SQLite 3\.53 and later/);
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', { root: root() });
      assert.equal(r.ok, true, r.message);
      const ddl = await tableSql('onboarding_sessions');
      assert.match(ddl, /step VARCHAR\(50\) DEFAULT 'welcome'/, ddl);
      assert.doesNotMatch(ddl, /step VARCHAR\(50\)[^,]*NOT NULL/, ddl);
    }, () => { if (saved) fs.writeFileSync(dbFile(), saved); else fs.rmSync(dbFile(), { force: true }); });
  });

  it('a constraint added outside batch on SQLite: a warning naming sqlite-outside-batch; with it set, an info and the run rebuilds the table', async () => {
    const lines = [
      '"""unique step', '', 'Revision ID: bbbb00000005', '"""', 'from alembic import op', '', 'revision = "bbbb00000005"', 'down_revision = "0d4e6f8a2b19"', '', '',
      'def upgrade():', // line 11
      '    op.create_unique_constraint("uq_onboarding_user", "onboarding_sessions", ["user_id"])', // 12
      '', '', 'def downgrade():', '    op.drop_constraint("uq_onboarding_user", "onboarding_sessions", type_="unique")', '',
    ];
    const pyproject = path.join(workspace(), 'pyproject.toml');
    const saved = fs.existsSync(dbFile()) ? fs.readFileSync(dbFile()) : undefined;
    await withRevision('bbbb00000005_unique.py', lines, async (doc) => {
      const warning = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'not-possible-on-dialect'));
      assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(warning.range.start.line, 11);
      assert.match(warning.message, /No support for ALTER of constraints in SQLite .*sqlite-outside-batch = "rebuild" under \[tool\.alembic-migrations\]/);
      const refused = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', { root: root() });
      assert.equal(refused.ok, false, 'refused as Alembic refuses, by default');

      // The second quick fix writes the setting into the project's pyproject.toml (none yet: it is created).
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, warning.range);
      const set = actions.find((x) => x.title.startsWith('Let the embedded engine rebuild such tables'));
      assert.ok(set?.edit, actions.map((x) => x.title).join(', '));
      assert.ok(await vscode.workspace.applyEdit(set.edit));
      assert.ok(await (await vscode.workspace.openTextDocument(pyproject)).save());
      assert.equal(fs.readFileSync(pyproject, 'utf8'), '[tool.alembic-migrations]\nsqlite-outside-batch = "rebuild"\n');
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const info = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'rebuilt-outside-batch'));
      assert.equal(info.severity, vscode.DiagnosticSeverity.Information);
      assert.equal(info.range.start.line, 11);
      assert.match(info.message, /the table is rebuilt as `with op\.batch_alter_table\(\.\.\.\)` would .*your own alembic fails here/);
      assert.ok(!vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'not-possible-on-dialect'), 'the warning is gone');
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', { root: root() });
      assert.equal(r.ok, true, r.message);
      const ddl = await tableSql('onboarding_sessions');
      assert.match(ddl, /CONSTRAINT uq_onboarding_user UNIQUE \(user_id\)/, ddl);
      assert.match(ddl, /FOREIGN KEY\(user_id\) REFERENCES users \(id\) ON DELETE CASCADE/, 'the rebuilt table keeps its foreign key');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }, () => { fs.rmSync(pyproject, { force: true }); if (saved) fs.writeFileSync(dbFile(), saved); else fs.rmSync(dbFile(), { force: true }); });
  });

  it('the quick fix on that warning puts the op in a batch_alter_table block; the warning goes and the run works by default', async () => {
    const lines = [
      '"""unique step', '', 'Revision ID: bbbb00000006', '"""', 'from alembic import op', '', 'revision = "bbbb00000006"', 'down_revision = "0d4e6f8a2b19"', '', '',
      'def upgrade():', // line 11
      '    op.create_unique_constraint("uq_onboarding_user", "onboarding_sessions",', // 12
      '                                ["user_id"])',
      '', '', 'def downgrade():', '    op.drop_constraint("uq_onboarding_user", "onboarding_sessions", type_="unique")', '',
    ];
    const saved = fs.existsSync(dbFile()) ? fs.readFileSync(dbFile()) : undefined;
    await withRevision('bbbb00000006_unique.py', lines, async (doc) => {
      await vscode.window.showTextDocument(doc);
      for (const line of [11, 16]) {
        const warning = await waitFor(() => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'not-possible-on-dialect' && d.range.start.line === line));
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, warning.range);
        const fix = actions.find((x) => x.title.startsWith('Run it in a batch_alter_table block'));
        assert.ok(fix?.edit, `a quick fix on line ${line + 1}: ${actions.map((x) => x.title).join(', ')}`);
        assert.ok(await vscode.workspace.applyEdit(fix.edit));
      }
      assert.ok(await doc.save());
      assert.equal(doc.getText().split('\n').slice(10, 13).join('\n'), [
        'def upgrade():',
        '    with op.batch_alter_table("onboarding_sessions") as batch_op:',
        '        batch_op.create_unique_constraint("uq_onboarding_user", ["user_id"])',
      ].join('\n'));
      assert.match(doc.getText(), /def downgrade\(\):\n {4}with op\.batch_alter_table\("onboarding_sessions"\) as batch_op:\n {8}batch_op\.drop_constraint\("uq_onboarding_user", type_="unique"\)\n/);
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      await waitFor(() => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'not-possible-on-dialect') ? undefined : true));
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', { root: root() });
      assert.equal(r.ok, true, r.message);
      const ddl = await tableSql('onboarding_sessions');
      assert.match(ddl, /CONSTRAINT uq_onboarding_user UNIQUE \(user_id\)/, ddl);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }, () => { if (saved) fs.writeFileSync(dbFile(), saved); else fs.rmSync(dbFile(), { force: true }); });
  });

  it('the batch quick fix is not offered where the batch form fails too (an unnamed constraint), and keeps a comment after the call', async () => {
    const lines = [
      '"""fixes', '', 'Revision ID: bbbb00000007', '"""', 'from alembic import op', '', 'revision = "bbbb00000007"', 'down_revision = "0d4e6f8a2b19"', '', '',
      'def upgrade():', // line 11
      '    op.create_foreign_key(None, "onboarding_sessions", "users", ["user_id"], ["id"])', // 12
      '    op.create_unique_constraint("uq_step", "onboarding_sessions", ["step"])  # one per step', // 13
      '', '', 'def downgrade():', '    pass', '',
    ];
    await withRevision('bbbb00000007_fixes.py', lines, async (doc) => {
      await vscode.window.showTextDocument(doc);
      const warnings = await waitFor(() => { const ws = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'not-possible-on-dialect'); return ws.length === 2 ? ws : undefined; });
      // The actions offered on a diagnostic's range (VS Code hands the provider the diagnostics there).
      const actionsOn = async (d: vscode.Diagnostic) => vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
      const unnamed = warnings.find((d) => d.range.start.line === 11)!;
      assert.deepEqual((await actionsOn(unnamed)).map((x) => x.title).filter((t) => /batch_alter_table|sqlite-outside-batch/.test(t)), [], 'Alembic\'s batch mode refuses an unnamed constraint: no fix that would fail');
      const named = warnings.find((d) => d.range.start.line === 12)!;
      const fix = (await actionsOn(named)).find((x) => x.title.startsWith('Run it in a batch_alter_table block'));
      assert.ok(fix?.edit);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.deepEqual(doc.getText().split('\n').slice(12, 14), [
        '    with op.batch_alter_table("onboarding_sessions") as batch_op:',
        '        batch_op.create_unique_constraint("uq_step", ["step"])  # one per step',
      ]);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  });

  it('downgrades to a revision from the view: it stays applied, the revisions after it are reverted', async () => {
    assert.deepEqual(heads(), ['c5e8f7a1b302']);
    const row = async (id: string) => {
      const items = await Promise.all((await a.tree.getChildren()).map((n) => a.tree.getTreeItem(n)));
      return items.find((i) => i.label === id)!;
    };
    assert.equal((await row('abc123def456')).contextValue, 'revision.applied', 'offered on an applied revision');
    const r = await vscode.commands.executeCommand<{ ok: boolean; steps: number }>('alembicMigrations.downgradeToHere', { root: root(), revision: 'abc123def456' });
    assert.deepEqual({ ok: r.ok, steps: r.steps }, { ok: true, steps: 3 }, 'the merge and both branches above it');
    assert.deepEqual(heads(), ['abc123def456']);
    const left = await tables();
    assert.ok(left.includes('users') && !left.includes('terms') && !left.includes('api_keys'), left.join(', '));
    assert.equal((await row('abc123def456')).contextValue, 'revision.current');
  });

  it('"Upgrade..." and "Downgrade..." offer their targets in a quick pick (head, then -1 first)', async () => {
    const choose = async (command: string) => {
      let settled = false;
      const done = Promise.resolve(vscode.commands.executeCommand<{ ok: boolean; steps: number }>(command, { root: root() })).finally(() => { settled = true; });
      // Accept the first item once the quick pick is open (an accept before it opens does nothing).
      for (let i = 0; i < 50 && !settled; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      return done;
    };
    assert.deepEqual(heads(), ['abc123def456']);
    assert.equal((await choose('alembicMigrations.upgrade')).steps, 4, 'head');
    assert.deepEqual(heads(), ['0d4e6f8a2b19']);
    assert.equal((await choose('alembicMigrations.downgrade')).steps, 1, '-1');
    assert.deepEqual(heads(), ['c5e8f7a1b302']);
  });
});

describe('A database that cannot be read', () => {
  it('says why above the revisions, and a click offers to set another database URL', async () => {
    const a = await api();
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'example.db');
    const saved = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    fs.writeFileSync(file, 'not a database\n'.repeat(100));
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const [first, second] = await a.tree.getChildren();
      const item = await a.tree.getTreeItem(first);
      assert.match(String(item.label), /^Database: .*not a (SQLite )?database/);
      assert.equal(item.command?.command, 'alembicMigrations.setDatabaseUrl');
      assert.equal((await a.tree.getTreeItem(second)).label, '0d4e6f8a2b19', 'the revisions follow');
    } finally {
      if (saved) fs.writeFileSync(file, saved); else fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
    const [first] = await a.tree.getChildren();
    assert.notEqual(first.kind, 'message');
  });
});

describe('A workspace without an Alembic project', () => {
  it('creates one (alembic.ini, env.py, script.py.mako, versions/) that the engine and alembic can use', async () => {
    const os = await import('node:os');
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'init-'));
    try {
      const ini = await vscode.commands.executeCommand<string>('alembicMigrations.initProject', { folder, scriptDir: 'db' });
      assert.equal(ini, path.join(folder, 'alembic.ini'));
      for (const f of ['alembic.ini', 'db/env.py', 'db/script.py.mako', 'db/versions']) assert.ok(fs.existsSync(path.join(folder, f)), f);
      assert.match(fs.readFileSync(ini, 'utf8'), /^script_location = %\(here\)s\/db$/m);
      assert.equal(vscode.window.activeTextEditor?.document.fileName, ini, 'alembic.ini is opened for editing');
      // A second time: refused, nothing overwritten.
      const before = fs.readFileSync(ini, 'utf8');
      assert.equal(await vscode.commands.executeCommand('alembicMigrations.initProject', { folder, scriptDir: 'db' }), undefined);
      assert.equal(fs.readFileSync(ini, 'utf8'), before);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

async function waitFor<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
