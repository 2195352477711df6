/** Runs inside the real VS Code: activation, the Migrations view's data, commands, refresh. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';

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
    assert.equal(r[0].description, 'Add onboarding_sessions');
    assert.equal(r[1].description, 'merge terms and api keys');
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
      assert.deepEqual(r[0], { label: 'e1f2a3b4c5d6', description: 'Add tags' });
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
