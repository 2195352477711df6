/** Runs inside the real VS Code: activation, the Migrations view's data, commands, refresh. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';
import { MigrationsTree } from '../../src/extension/migrationsTree';
import { ProjectStore } from '../../src/extension/projectStore';
import { loadSnapshot } from '../../src/extension/viewSnapshot';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';

async function api(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  const exports = await ext.activate();
  await exports.store.ready;
  return exports;
}

async function rows(a: ExtensionApi): Promise<{ label: string; description: string }[]> {
  const nodes = await a.tree.getChildren();
  return Promise.all(nodes.map(async (n) => {
    const item = await a.tree.getTreeItem(n);
    const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
    return { label, description: String(item.description ?? '') };
  }));
}

describe('Alembic Migrations in a real VS Code', () => {
  let a: ExtensionApi;
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => { a = await api(); });

  it('activates on a workspace with alembic.ini and finds its project', () => {
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
    assert.equal(a.store.all.length, 1);
    assert.equal(a.store.all[0].error, undefined);
    assert.equal(a.store.all[0].dir!.scripts.length, 6);
  });

  it('shows the revisions newest first, with their messages', async () => {
    const r = await rows(a);
    assert.deepEqual(r.map((x) => x.label), ['0d4e6f8a2b19', 'c5e8f7a1b302', '3f2a9c1d7e80', '91d0e4b2c6aa', 'abc123def456', '7beb871f4454']);
    // The message, then the revision's place in the graph (the icon shows the database's state).
    assert.equal(r[0].description, 'Add onboarding_sessions · head');
    assert.equal(r[1].description, 'merge terms and api keys · mergepoint');
    assert.equal(r[3].description, 'Add api_keys table · @auth');
    assert.match(r[4].description, /^Add webhook_url column.* · branchpoint$/);
  });

  it('opens a revision file from its tree item', async () => {
    const [first] = await a.tree.getChildren();
    const item = await a.tree.getTreeItem(first);
    assert.equal(item.command?.command, 'vscode.open');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    assert.match(vscode.window.activeTextEditor?.document.fileName ?? '', /0d4e6f8a2b19_onboarding_sessions\.py$/);
  });

  it('contributes its commands and its view', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['alembicMigrations.refresh', 'alembicMigrations.showLog']) assert.ok(commands.includes(c), c);
    const views = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.views.alembicMigrations;
    assert.equal(views[0].id, 'alembicMigrations.revisions');
  });

  it('follows a new revision file after Refresh', async () => {
    const file = path.join(workspace(), 'alembic', 'versions', 'e1f2a3b4c5d6_add_tags.py');
    fs.writeFileSync(file, '"""Add tags\n\nRevision ID: e1f2a3b4c5d6\n"""\nrevision = "e1f2a3b4c5d6"\ndown_revision = "0d4e6f8a2b19"\n');
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const r = await rows(a);
      assert.equal(r.length, 7);
      assert.deepEqual(r[0], { label: 'e1f2a3b4c5d6', description: 'Add tags · head' });
    } finally {
      fs.rmSync(file);
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
    assert.equal((await rows(a)).length, 6);
  });

  it('shows a broken header as a problem item instead of failing', async () => {
    const file = path.join(workspace(), 'alembic', 'versions', 'ffff_broken.py');
    fs.writeFileSync(file, '"""broken"""\nfrom consts import NEXT\nrevision = NEXT\ndown_revision = None\n');
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const project = a.store.all[0];
      assert.equal(project.dir!.problems.length, 1);
      assert.match(project.dir!.problems[0].message, /revision = NEXT is not a literal value/);
      assert.equal((await rows(a)).length, 6, 'the readable revisions are still listed');
    } finally {
      fs.rmSync(file);
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});

describe('The database state, the status bar and the diagnostics', () => {
  let a: ExtensionApi;
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const versions = () => path.join(workspace(), 'alembic', 'versions');

  before(async () => { a = await api(); });

  async function stampSqlite(revision: string | null): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const initSqlJs = require('sql.js') as (o?: object) => Promise<{ Database: new () => { run(sql: string, params?: unknown[]): void; export(): Uint8Array; close(): void } }>;
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))');
    if (revision) db.run('INSERT INTO alembic_version (version_num) VALUES (?)', [revision]);
    fs.writeFileSync(path.join(workspace(), 'example.db'), Buffer.from(db.export()));
    db.close();
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  }

  it('marks revisions applied, current and pending from alembic_version', async () => {
    await stampSqlite('abc123def456');
    const db = a.store.all[0].db;
    assert.equal(db?.status, 'ok');
    const items = await Promise.all((await a.tree.getChildren()).map((n) => a.tree.getTreeItem(n)));
    const ctx = Object.fromEntries(items.map((i) => [i.label as string, i.contextValue]));
    assert.deepEqual(ctx, {
      '0d4e6f8a2b19': 'revision.pending', c5e8f7a1b302: 'revision.pending', '3f2a9c1d7e80': 'revision.pending',
      '91d0e4b2c6aa': 'revision.pending', abc123def456: 'revision.current', '7beb871f4454': 'revision.applied',
    });
  });

  it("keeps the view's first page for the next start, and replaces it by the files' rows once read", async () => {
    // Written ~1.5 s after the view's data last changed, with the database's states.
    const snap = await waitFor(() => loadSnapshot(a.snapshotFile), (s) => s?.projects[0]?.rows.some((r) => r.state === 'current') ?? false, 10_000);
    const project = snap!.projects[0];
    assert.deepEqual(project.rows.map((r) => [r.revision, r.state]), [
      ['0d4e6f8a2b19', 'pending'], ['c5e8f7a1b302', 'pending'], ['3f2a9c1d7e80', 'pending'],
      ['91d0e4b2c6aa', 'pending'], ['abc123def456', 'current'], ['7beb871f4454', 'applied']]);
    assert.equal(project.total, 6);
    // The next start, with the first scan held back and a file changed since the snapshot.
    let scan!: () => void;
    const log = vscode.window.createOutputChannel('Alembic Migrations (snapshot test)', { log: true });
    const store = new ProjectStore(log, undefined, undefined, new Promise<void>((resolve) => { scan = resolve; }));
    const stale = { ...snap!, projects: [{ ...project, rows: project.rows.map((r, i) => (i === 0 ? { ...r, doc: 'message from last session' } : r)) }] };
    const tree = new MigrationsTree(store, stale);
    try {
      const early = await Promise.all(tree.getChildren().map((n) => tree.getTreeItem(n)));
      assert.equal(early.length, 6);
      assert.equal(early[0].description, 'message from last session · head');
      assert.equal(early[4].contextValue, 'snapshotRevision', 'no upgrade/downgrade/stamp on rows not yet checked');
      scan();
      await store.ready;
      const late = await Promise.all(tree.getChildren().map((n) => tree.getTreeItem(n)));
      assert.deepEqual(late.map((i) => i.id), early.map((i) => i.id), 'the same ids: selection and scroll stay');
      assert.equal(late[0].description, 'Add onboarding_sessions · head');
      assert.equal(late[4].contextValue, 'revision.current');
    } finally {
      store.dispose();
      log.dispose();
    }
  });

  it('shows the current revision and the pending count in the status bar', async () => {
    assert.match(a.statusBar.item.text, /^\$\(database\) abc123de Add webhook_url column.* \$\(arrow-up\)4$/);
    const tip = (a.statusBar.item.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /sqlite:\/\/\/.*example\.db/);
    assert.match(tip, /4 revision\(s\) pending/);
    // A click offers the next actions, the current revision's file first.
    assert.equal(a.statusBar.item.command, 'alembicMigrations.statusActions');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    let settled = false;
    const picked = Promise.resolve(vscode.commands.executeCommand('alembicMigrations.statusActions')).finally(() => { settled = true; });
    // Accept the first item once the quick pick is open (an accept before it opens does nothing).
    for (let i = 0; i < 50 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    await picked;
    assert.equal(path.basename(vscode.window.activeTextEditor?.document.uri.fsPath ?? ''), 'abc123def456_add_webhook_url.py');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await stampSqlite(null);
    assert.match(a.statusBar.item.text, /^\$\(database\) base \$\(arrow-up\)6$/);
  });

  it('says so when the database is at a revision the files do not have', async () => {
    await stampSqlite('deadbeef0000');
    assert.equal(a.statusBar.item.text, '$(warning) Database error');
    assert.match((a.statusBar.item.tooltip as vscode.MarkdownString).value, /deadbeef0000/);
    fs.rmSync(path.join(workspace(), 'example.db'));
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  });

  it('reports a missing downgrade, and clears it as the user types one (unsaved)', async () => {
    const file = path.join(versions(), 'f0e1d2c3b4a5_add_tags.py');
    fs.writeFileSync(file, '"""add tags"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "f0e1d2c3b4a5"\ndown_revision = "0d4e6f8a2b19"\n\n\ndef upgrade():\n    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))\n');
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const uri = vscode.Uri.file(file);
      // Diagnostics follow a refresh shortly after the view (they are computed once it has rendered).
      let diags = await waitFor(() => vscode.languages.getDiagnostics(uri), (d) => d.length > 0);
      assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range.start.line]), [['missing-downgrade', vscode.DiagnosticSeverity.Error, 8]]);
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '\n\ndef downgrade():\n    pass\n'));
      diags = await waitFor(() => vscode.languages.getDiagnostics(uri), (d) => d.length === 1 && d[0].code === 'empty-downgrade');
      assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Warning);
      await editor.edit((e) => e.replace(new vscode.Range(doc.lineCount - 2, 0, doc.lineCount - 1, 0), '    op.drop_table("tags")\n'));
      await waitFor(() => vscode.languages.getDiagnostics(uri), (d) => d.length === 0);
    } finally {
      // Revert before deleting: a dirty editor left open would write the file back on a later save-all.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      if (open) {
        await vscode.window.showTextDocument(open);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        assert.ok(!open.isDirty, 'the edited revision was reverted');
      }
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });

  it('takes the severities set in alembicMigrations.diagnostics.severity, "off" included', async () => {
    const file = path.join(versions(), 'b7c8d9e0f1a2_severity.py');
    fs.writeFileSync(file, '"""severity"""\nrevision = "b7c8d9e0f1a2"\ndown_revision = "0d4e6f8a2b19"\n\n\ndef upgrade():\n    pass\n');
    const config = vscode.workspace.getConfiguration('alembicMigrations.diagnostics');
    const missing = () => vscode.languages.getDiagnostics(vscode.Uri.file(file)).find((d) => d.code === 'missing-downgrade');
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      await waitFor(() => missing()?.severity, (s) => s === vscode.DiagnosticSeverity.Error);
      await config.update('severity', { 'missing-downgrade': 'warning' }, vscode.ConfigurationTarget.Workspace);
      await waitFor(() => missing()?.severity, (s) => s === vscode.DiagnosticSeverity.Warning);
      await config.update('severity', { 'missing-downgrade': 'off' }, vscode.ConfigurationTarget.Workspace);
      await waitFor(() => missing(), (d) => d === undefined);
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });

  it('warns on several heads, at each head, also when a revision lacks its downgrade', async () => {
    const file = path.join(versions(), 'a9b8c7d6e5f4_side_branch.py');
    // No downgrade(): an error in that file, which must not hide the heads warning.
    fs.writeFileSync(file, '"""side branch"""\nrevision = "a9b8c7d6e5f4"\ndown_revision = "abc123def456"\n\n\ndef upgrade():\n    pass\n');
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const heads = await waitFor(() => vscode.languages.getDiagnostics().filter(([, ds]) => ds.some((d) => d.code === 'multiple-heads')), (h) => h.length >= 2);
      assert.deepEqual(heads.map(([uri]) => path.basename(uri.fsPath)).sort(), ['0d4e6f8a2b19_onboarding_sessions.py', 'a9b8c7d6e5f4_side_branch.py']);
      assert.ok(vscode.languages.getDiagnostics(vscode.Uri.file(file)).some((d) => d.code === 'missing-downgrade'), 'the missing downgrade is reported too');
      const a = await api();
      await waitFor(() => a.statusBar.item.backgroundColor?.id, (id) => id === 'statusBarItem.warningBackground');
      assert.match((a.statusBar.item.tooltip as vscode.MarkdownString).value, /2 heads/);
    } finally {
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});

async function waitFor<T>(get: () => T, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('CodeLens on revision files', () => {
  it('shows each revision state against the database, and its place in the graph', async () => {
    const a = await api();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const initSqlJs = require('sql.js') as (o?: object) => Promise<{ Database: new () => { run(sql: string, params?: unknown[]): void; export(): Uint8Array; close(): void } }>;
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))');
    db.run("INSERT INTO alembic_version (version_num) VALUES ('abc123def456')");
    fs.writeFileSync(path.join(workspace, 'example.db'), Buffer.from(db.export()));
    db.close();
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      assert.equal(a.store.all[0].db?.status, 'ok');
      const lenses = async (name: string) => {
        const doc = await vscode.workspace.openTextDocument(path.join(workspace, 'alembic', 'versions', name));
        const list = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
        return list.filter((l) => l.command?.title).map((l) => `${l.range.start.line + 1}: ${l.command!.title}`);
      };
      const revert = '$(discard) Revert (downgrade to before this)';
      const sql = '$(file-code) Show SQL';
      const verify = '$(beaker) Verify';
      assert.deepEqual(await lenses('abc123def456_add_webhook_url.py'), ['13: $(debug-stackframe) current: the database is here', `13: ${revert}`, `13: ${sql}`, `13: ${verify}`, '13: branchpoint']);
      assert.deepEqual(await lenses('7beb871f4454_initial_schema.py'), ['15: $(pass-filled) applied', `15: ${revert}`, `15: ${sql}`, `15: ${verify}`]);
      assert.deepEqual(await lenses('c5e8f7a1b302_merge_terms_and_api_keys.py'),
        ['12: $(circle-large-outline) pending (3 revisions to apply up to here)', '12: $(play) Apply (upgrade to here)', `12: ${sql}`, `12: ${verify}`, '12: mergepoint · @auth']);
      // SQL and TypeScript revisions in the same graph get the same lenses; a TypeScript one has no
      // Show SQL (its statements come from running it against a live database).
      fs.writeFileSync(path.join(workspace, 'alembic', 'versions', '5a5a5a5a5a5a_tags.sql'),
        '-- tags\n--\n-- Revision ID: 5a5a5a5a5a5a\n-- Revises: 0d4e6f8a2b19\n\n-- migrate:upgrade\nCREATE TABLE tags (id INTEGER PRIMARY KEY);\n\n-- migrate:downgrade\nDROP TABLE tags;\n');
      fs.writeFileSync(path.join(workspace, 'alembic', 'versions', '6b6b6b6b6b6b_tag_colors.ts'),
        "/** tag colors */\nexport const revision = '6b6b6b6b6b6b';\nexport const downRevision = '5a5a5a5a5a5a';\n\n"
        + "export async function upgrade(knex: any): Promise<void> { await knex.schema.alterTable('tags', (t: any) => { t.string('color'); }); }\n"
        + "export async function downgrade(knex: any): Promise<void> { await knex.schema.alterTable('tags', (t: any) => { t.dropColumn('color'); }); }\n");
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      assert.deepEqual(await lenses('5a5a5a5a5a5a_tags.sql'), ['3: $(circle-large-outline) pending (5 revisions to apply up to here)', '3: $(play) Apply (upgrade to here)', `3: ${sql}`, `3: ${verify}`, '3: @auth']);
      assert.deepEqual(await lenses('6b6b6b6b6b6b_tag_colors.ts'), ['2: $(circle-large-outline) pending (6 revisions to apply up to here)', '2: $(play) Apply (upgrade to here)', `2: ${verify}`, '2: head · @auth']);
    } finally {
      for (const f of ['5a5a5a5a5a5a_tags.sql', '6b6b6b6b6b6b_tag_colors.ts']) fs.rmSync(path.join(workspace, 'alembic', 'versions', f), { force: true });
      fs.rmSync(path.join(workspace, 'example.db'), { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});

describe('Stamp from the editor', () => {
  it('stamps the database at a revision, then the view and status bar follow', async () => {
    const a = await api();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', false, vscode.ConfigurationTarget.Workspace);
    try {
      const node = (await a.tree.getChildren()).find((n) => 'script' in n && n.script.revision === '3f2a9c1d7e80');
      assert.ok(node, 'the revision is in the view');
      await vscode.commands.executeCommand('alembicMigrations.stamp', node);
      const db = a.store.all[0].db;
      assert.equal(db?.status, 'ok');
      assert.deepEqual(db?.status === 'ok' && db.heads, ['3f2a9c1d7e80']);
      assert.match(a.statusBar.item.text, /^\$\(database\) 3f2a9c1d Add terms table \$\(arrow-up\)3$/);
      // The file is a real SQLite database with Alembic's version table.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const initSqlJs = require('sql.js') as (o?: object) => Promise<{ Database: new (b: Uint8Array) => { exec(sql: string): { values: unknown[][] }[]; close(): void } }>;
      const SQL = await initSqlJs();
      const file = new SQL.Database(fs.readFileSync(path.join(workspace, 'example.db')));
      assert.deepEqual(file.exec('SELECT version_num FROM alembic_version')[0].values, [['3f2a9c1d7e80']]);
      file.close();
    } finally {
      fs.rmSync(path.join(workspace, 'example.db'), { force: true });
      await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});

describe('Project commands', () => {
  it('copies a revision id from the view', async () => {
    const a = await api();
    const node = (await a.tree.getChildren()).find((n) => 'script' in n && n.script.revision === 'c5e8f7a1b302');
    await vscode.commands.executeCommand('alembicMigrations.copyId', node);
    assert.equal(await vscode.env.clipboard.readText(), 'c5e8f7a1b302');
  });

  it('shows the history in an editor, as history --verbose prints it', async () => {
    await vscode.commands.executeCommand('alembicMigrations.showHistory');
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(text, /^Rev: 0d4e6f8a2b19 \(head\)\nParent: c5e8f7a1b302\nBranch names: auth\nPath: .*0d4e6f8a2b19_onboarding_sessions\.py\n\n {4}Add onboarding_sessions/);
    assert.equal((text.match(/^Rev: /gm) ?? []).length, 6);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('uses a database URL set in the editor, kept out of settings', async () => {
    const a = await api();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const other = path.join(workspace, 'other.db');
    const url = `sqlite:///${other}`;
    try {
      await vscode.commands.executeCommand('alembicMigrations.setDatabaseUrl', undefined, url);
      const db = a.store.all[0].db;
      assert.equal(db?.status, 'ok');
      assert.equal(db?.status === 'ok' && db.source, 'the editor (Set Database URL)');
      assert.match(db?.status === 'ok' ? db.url : '', /other\.db$/);
      const settings = path.join(workspace, '.vscode', 'settings.json');
      assert.ok(!fs.existsSync(settings) || !fs.readFileSync(settings, 'utf8').includes('other.db'), 'the URL is not written to settings');
    } finally {
      await vscode.commands.executeCommand('alembicMigrations.clearDatabaseUrl');
    }
    const db = a.store.all[0].db;
    assert.match(db?.status === 'ok' ? db.url : '', /example\.db$/, 'back to alembic.ini once cleared');
  });
});

describe('Quick fix for a missing downgrade', () => {
  it('writes the inverse operations, and the diagnostic goes away', async () => {
    await api();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = path.join(workspace, 'alembic', 'versions', 'b1c2d3e4f5a6_tags.py');
    fs.writeFileSync(file, '"""tags"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "b1c2d3e4f5a6"\ndown_revision = "0d4e6f8a2b19"\n\n\ndef upgrade():\n    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))\n    op.add_column("users", sa.Column("tag_id", sa.Integer()))\n');
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const uri = vscode.Uri.file(file);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const [diag] = await waitFor(() => vscode.languages.getDiagnostics(uri), (d) => d.length === 1);
      assert.equal(diag.code, 'missing-downgrade');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((a) => a.title === 'Write the downgrade from the upgrade');
      assert.ok(fix?.edit, `a quick fix is offered: ${actions.map((a) => a.title).join(', ')}`);
      await vscode.workspace.applyEdit(fix.edit);
      assert.match(doc.getText(), /\n\n\ndef downgrade\(\) -> None:\n {4}op\.drop_column\("users", "tag_id"\)\n {4}op\.drop_table\("tags"\)\n$/);
      await waitFor(() => vscode.languages.getDiagnostics(uri), (d) => d.length === 0);
    } finally {
      // Revert before deleting: a dirty editor left open would write the file back on a later save-all.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      if (open) {
        await vscode.window.showTextDocument(open);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        assert.ok(!open.isDirty, 'the edited revision was reverted');
      }
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});

describe('Portability hints', () => {
  it('flags a PostgreSQL-only ENUM in a project whose database is SQLite, and unguarded raw SQL as a hint', async () => {
    await api();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = path.join(workspace, 'alembic', 'versions', 'c3d4e5f6a7b8_adoption_level.py');
    fs.writeFileSync(file, [
      '"""adoption level"""', 'from alembic import op', 'import sqlalchemy as sa', '', 'revision = "c3d4e5f6a7b8"', 'down_revision = "0d4e6f8a2b19"', '', '',
      'def upgrade():', "    op.add_column('users', sa.Column('adoption_level', sa.Enum('quick-project', 'research-project', name='adoption_level')))", '', '',
      'def downgrade():', "    op.drop_column('users', 'adoption_level')", "    op.execute('DROP TYPE adoption_level')", '',
    ].join('\n'));
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const uri = vscode.Uri.file(file);
      const diags = await waitFor(() => vscode.languages.getDiagnostics(uri), (d) => d.length === 2);
      assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range.start.line + 1]), [
        ['postgresql-only', vscode.DiagnosticSeverity.Warning, 10], ['raw-sql', vscode.DiagnosticSeverity.Hint, 15]]);
      assert.match(diags[0].message, /sa\.Enum.*this project's database is SQLite/);
    } finally {
      fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});
