/** Runs inside the real VS Code on a folder holding two Alembic projects: they are kept apart. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';

describe('Two projects in one workspace', () => {
  let a: ExtensionApi;
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>('migrations-tools.alembic-migrations')!.activate();
    await a.store.ready;
  });

  it('finds both, one from alembic.ini and one from pyproject.toml, and shows one node each', async () => {
    const roots = a.store.all.map((p) => path.relative(workspace(), p.found.root)).sort();
    assert.deepEqual(roots, ['services/api', 'services/inventory']);
    const nodes = await a.tree.getChildren();
    const labels = await Promise.all(nodes.map(async (n) => (await a.tree.getTreeItem(n)).label));
    assert.deepEqual(labels.map(String).sort(), ['services/api', 'services/inventory']);
  });

  it('keeps their revisions apart', async () => {
    const nodes = await a.tree.getChildren();
    const byProject: Record<string, string[]> = {};
    for (const n of nodes) {
      const label = String((await a.tree.getTreeItem(n)).label);
      byProject[label] = await Promise.all((await a.tree.getChildren(n)).map(async (c) => String((await a.tree.getTreeItem(c)).label)));
    }
    assert.equal(byProject['services/api'].length, 6);
    // inventory has no database configured: the view says so above its revisions.
    assert.deepEqual(byProject['services/inventory'].sort(), ['0f3b5c9e1d2a', '6b1d9e8f7a6c', '8c7d6e5f4a3b', '9d8e7f6a5b4c', 'No database configured: click to set one']);
  });

  it('the graph shows one project at a time, switched from its project list', async () => {
    const surface = a.graph.openPanel();
    const api = a.store.all.find((p) => p.found.root.endsWith(path.join('services', 'api')))!;
    const inventory = a.store.all.find((p) => p.found.root.endsWith('inventory'))!;
    assert.equal(await surface.receive({ type: 'selectProject', root: inventory.found.root }), 'posted');
    assert.equal(surface.project(), inventory);
    assert.equal(await surface.receive({ type: 'open', revision: '0f3b5c9e1d2a' }), 'opened', "the shown project's revision");
    assert.match(await surface.receive({ type: 'open', revision: '0d4e6f8a2b19' }), /^ignored: open: no revision 0d4e6f8a2b19 in the project shown/, "another project's revision is not taken");
    assert.equal(await surface.receive({ type: 'selectProject', root: api.found.root }), 'posted');
    assert.equal(await surface.receive({ type: 'open', revision: '0d4e6f8a2b19' }), 'opened');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("the status bar follows the active editor's project", async () => {
    const inventory = path.join(workspace(), 'services', 'inventory', 'db', 'migrations', 'versions', '2024_01_05_0f3b5c9e1d2a_products.py');
    await vscode.window.showTextDocument(vscode.Uri.file(inventory));
    assert.equal(a.statusBar.activeProject()?.label, 'services/inventory');
    assert.match((a.statusBar.item.tooltip as vscode.MarkdownString).value, /services\/inventory/);
    const api = path.join(workspace(), 'services', 'api', 'alembic', 'versions', 'abc123def456_add_webhook_url.py');
    await vscode.window.showTextDocument(vscode.Uri.file(api));
    assert.equal(a.statusBar.activeProject()?.label, 'services/api');
    // A folder whose name only starts like a project's is not that project.
    const sibling = path.join(workspace(), 'services', 'inventory-tools', 'notes.md');
    fs.mkdirSync(path.dirname(sibling), { recursive: true });
    fs.writeFileSync(sibling, 'not a project\n');
    a.store.selectedRoot = a.store.all.find((p) => p.label === 'services/api')!.found.root;
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(sibling));
      assert.equal(a.statusBar.activeProject()?.label, 'services/api', 'the selected project, as for a file of no project');
    } finally {
      a.store.selectedRoot = undefined;
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(path.dirname(sibling), { recursive: true, force: true });
    }
  });

  it('"Select Project" chooses the project the status bar and commands follow when no editor says otherwise', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const inventory = a.store.all.find((p) => p.label === 'services/inventory')!;
    await vscode.commands.executeCommand('alembicMigrations.selectProject', inventory.found.root);
    assert.equal(a.statusBar.activeProject()?.label, 'services/inventory');
    assert.match((a.statusBar.item.tooltip as vscode.MarkdownString).value, /services\/inventory/);
  });
});
