/**
 * Drift in the real VS Code, on the verify fixture copied into the workspace with a SQLite
 * database: upgraded to head, then changed by hand (a column and an index the migrations never
 * made). The Drift row and its children, the status bar's warning, and "New Revision from Database
 * Drift" writing a revision the diagnostics accept, stamped, after which the check finds no drift.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';
import type { DriftResult } from '../../src/extension/drift/driftChecks';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
const REPO = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'verify', 'project');
const HEAD = 'c3a5b7c9d1e2';
type SqlJs = { Database: new (b?: Uint8Array) => { run(sql: string): void; export(): Uint8Array; close(): void } };

describe('Drift in the editor', function () {
  this.timeout(120_000);
  let a: ExtensionApi;
  const project = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'drift-fixture');
  const state = () => a.store.all.find((p) => p.found.root === project())!;
  const dbFile = () => path.join(project(), 'app.db');
  const arg = () => ({ root: project() });
  const label = (t: vscode.TreeItem) => (typeof t.label === 'string' ? t.label : t.label?.label ?? '');
  /** The project's rows in the Migrations view (two projects: one node each). */
  const projectRows = () => {
    const node = a.tree.getChildren().find((n) => n.kind === 'project' && n.project.found.root === project())!;
    return a.tree.getChildren(node);
  };
  const driftRow = () => projectRows().find((n) => n.kind === 'drift');

  async function changeByHand(...sql: string[]): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const SQL = await (require('sql.js') as () => Promise<SqlJs>)();
    const db = new SQL.Database(fs.readFileSync(dbFile()));
    for (const s of sql) db.run(s);
    fs.writeFileSync(dbFile(), db.export());
    db.close();
  }

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await a.store.ready;
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', false, vscode.ConfigurationTarget.Workspace);
    fs.cpSync(FIXTURE, project(), { recursive: true, filter: (p) => !p.endsWith('.db') });
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    const r = await vscode.commands.executeCommand<{ ok: boolean }>('alembicMigrations.upgradeHead', arg());
    assert.equal(r?.ok, true, 'the fixture upgrades to head');
  });
  after(async () => {
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(project(), { recursive: true, force: true });
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  });

  it('shows no Drift row until a check has run, then "none" for a database the migrations made', async () => {
    assert.equal(driftRow(), undefined, 'nothing is checked on opening (drift.checkOnOpen is off)');
    const r = await vscode.commands.executeCommand<DriftResult>('alembicMigrations.checkDrift', { ...arg(), quiet: true });
    assert.equal(r.status, 'clean', r.status === 'error' ? r.message : 'no drift');
    const item = a.tree.getTreeItem(driftRow()!);
    assert.equal(label(item), 'Drift');
    assert.match(String(item.description), /^none · /);
    assert.doesNotMatch(a.statusBar.item.text, /drift/);
  });

  it('lists each change made by hand under Drift, and the status bar warns', async () => {
    await changeByHand('ALTER TABLE users ADD COLUMN nickname VARCHAR(50)', 'CREATE INDEX ix_users_name ON users (name)');
    const r = await vscode.commands.executeCommand<DriftResult>('alembicMigrations.checkDrift', { ...arg(), quiet: true });
    assert.equal(r.status, 'drift', r.status === 'error' ? r.message : 'drift found');
    const row = driftRow()!;
    const item = a.tree.getTreeItem(row);
    assert.match(String(item.description), /^2 differences · /);
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'the differences show without a click');
    assert.equal(item.contextValue, 'drift.found', 'New Revision from Database Drift is offered on it');
    const children = a.tree.getChildren(row).map((n) => a.tree.getTreeItem(n));
    const texts = children.map((c) => `${label(c)}: ${String(c.description)}`).sort();
    assert.equal(texts.length, 2, texts.join('\n'));
    assert.match(texts[0], /users\.nickname/);
    assert.match(texts[1], /ix_users_name/);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(project(), 'alembic.ini')));
    a.statusBar.render();
    assert.match(a.statusBar.item.text, /\$\(warning\) drift$/);
    assert.equal((a.statusBar.item.backgroundColor as vscode.ThemeColor | undefined)?.id, 'statusBarItem.warningBackground');
    assert.match((a.statusBar.item.tooltip as vscode.MarkdownString).value, /differs from what the migrations build in 2 places/);
  });

  it('writes a revision from the drift that the diagnostics accept; stamped, the next check finds no drift', async () => {
    const file = await vscode.commands.executeCommand<string>('alembicMigrations.revisionFromDrift', { ...arg(), message: 'nickname and name index', stamp: true });
    assert.ok(file && fs.existsSync(file), 'a revision file was written');
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, new RegExp(`down_revision = '${HEAD}'`), 'on the head');
    assert.match(text, /op\.add_column\('users'|batch_op\.add_column\(sa\.Column\('nickname'/);
    assert.match(text, /create_index\(.*ix_users_name/);
    assert.match(text, /def downgrade\(\)[\s\S]*drop_column[\s\S]*|def downgrade\(\)[\s\S]*drop_index/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'the new revision is opened');
    // The diagnostics have read the new file: nothing to warn about (its downgrade is not empty).
    for (let i = 0; i < 100 && !state().dir?.files.some((f) => f.path === file); i++) await new Promise((r) => setTimeout(r, 50));
    const problems = a.diagnostics.collection.get(vscode.Uri.file(file)) ?? [];
    assert.deepEqual(problems.map((d) => d.message), [], 'no diagnostics on the written revision');
    const newId = state().dir!.files.find((f) => f.path === file)!.revision;
    const db = state().db;
    assert.deepEqual(db?.status === 'ok' ? db.heads : undefined, [newId], 'the database is stamped at the new revision');
    // The stamp changed the database's revision: drift is checked again by itself.
    let r = a.drift.get(project());
    for (let i = 0; i < 200 && (r?.status === 'checking' || (r && 'heads' in r && r.heads?.[0] !== newId)); i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = a.drift.get(project());
    }
    assert.equal(r?.status, 'clean', r?.status === 'error' ? r.message : r?.status === 'drift' ? r.report.differences.map((d) => d.message).join('\n') : 'no drift after the revision');
    a.statusBar.render();
    assert.doesNotMatch(a.statusBar.item.text, /drift/);
  });

  it('shows Alembic\'s own autogenerate (models against the database) beside ours in a diff editor', async () => {
    // The project's models know users.age; the database gains it by hand; a virtualenv-style alembic runs the real Alembic.
    await changeByHand('ALTER TABLE users ADD COLUMN age INTEGER');
    fs.writeFileSync(path.join(project(), 'models.py'), [
      'import sqlalchemy as sa',
      'metadata = sa.MetaData()',
      "users = sa.Table('users', metadata, sa.Column('id', sa.Integer(), primary_key=True), sa.Column('age', sa.Integer()))",
      '',
    ].join('\n'));
    const env = path.join(project(), 'alembic', 'env.py');
    fs.writeFileSync(env, fs.readFileSync(env, 'utf8').replace('target_metadata = None', 'import os, sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\nimport models\ntarget_metadata = models.metadata'));
    const bin = path.join(project(), '.venv', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'alembic'), '#!/usr/bin/python3\nimport sys\nfrom alembic.config import main\nsys.exit(main(prog="alembic"))\n', { mode: 0o755 });
    const before = fs.readdirSync(path.join(project(), 'alembic', 'versions')).sort();
    const r = await vscode.commands.executeCommand<{ ours: string; alembic: string }>('alembicMigrations.compareAutogenerate', { ...arg(), pick: 'none' });
    assert.ok(r, 'both results were produced');
    assert.match(r.ours, /add_column\(sa\.Column\('age', sa\.INTEGER\(\), nullable=True\)\)/, 'ours: the column the database has and the migrations lack');
    assert.match(r.alembic, /op\.drop_table\('user_moods'\)/, 'Alembic\'s: what the models lack against the database');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, 'a diff editor is open');
    assert.match(tab.label, /Alembic's autogenerate ↔ from database drift/);
    assert.deepEqual(fs.readdirSync(path.join(project(), 'alembic', 'versions')).sort(), before, 'nothing written until the user picks');
  });
});

