/**
 * Restricted Mode (an untrusted workspace): the graph is shown read-only; nothing runs a
 * migration, writes the database or even contacts it, whatever command is invoked.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
const REPO = path.resolve(__dirname, '../../..');

describe('An untrusted workspace', () => {
  it('shows the revisions, but never contacts, migrates, stamps or restores the database', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace opened in Restricted Mode');
    const a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await a.store.ready;
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const db = path.join(workspace, 'example.db');
    fs.copyFileSync(path.join(REPO, 'migrations', 'example', 'example.db'), db);
    const sha = () => crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex');
    const before = sha();
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    const project = a.store.all[0];
    assert.equal(project.dir?.scripts.length, 6, 'the graph is read');
    const rows = a.tree.getChildren();
    assert.ok(rows.length >= 7, 'the view lists the revisions');
    const first = a.tree.getTreeItem(rows[0]);
    assert.equal(first.label, 'Restricted Mode: the database is not read', 'and says first why no state is shown');
    assert.equal(first.command?.command, 'workbench.trust.manage', 'a click opens Workspace Trust');
    assert.equal(a.statusBar.item.text, '$(shield) database not read', 'the status bar does not claim there is no database');
    assert.deepEqual(project.db && { status: project.db.status, reason: project.db.status === 'unknown' && project.db.reason }, { status: 'unknown', reason: 'untrusted' },
      'the database is not contacted');

    const root = { root: project.found.root };
    for (const command of ['alembicMigrations.upgradeHead', 'alembicMigrations.downgradeOne']) {
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(command, root);
      assert.deepEqual(r, { ok: false, message: 'untrusted' }, command);
    }
    await vscode.commands.executeCommand('alembicMigrations.stamp', { project, script: { revision: '0d4e6f8a2b19' } });
    await vscode.commands.executeCommand('alembicMigrations.restoreBackup', { root: project.found.root, backup: db, confirm: false });
    assert.equal(sha(), before, 'the database file is untouched');
    assert.ok(!fs.existsSync(path.join(workspace, '.migrations-backups')), 'no backup was made (nothing ran)');

    const doc = await vscode.workspace.openTextDocument(path.join(workspace, 'alembic', 'versions', '7beb871f4454_initial_schema.py'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    assert.ok(lenses.length > 0, 'CodeLens still describes the revision');
    assert.ok(!lenses.some((l) => /Apply|Revert/.test(l.command?.title ?? '')), 'but offers no run');
    assert.ok(lenses.some((l) => l.command?.title === '$(shield) database not read'), 'and says the database is not read');
  });
});
